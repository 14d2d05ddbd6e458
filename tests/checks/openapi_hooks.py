"""Schemathesis hooks for tests/checks/test_openapi_contract.py (loaded through
SCHEMATHESIS_HOOKS): a message is sent as the bytes it is, whichever of its types."""

import schemathesis

schemathesis.serializer.alias(["message/rfc822", "message/global"], "application/octet-stream")
