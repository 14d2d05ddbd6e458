"""The verification engine: pure Python, no Django import (docs/architecture.md).

Its canonicalisers are also what the registry uses to store identifiers, so a value is
written and looked up in exactly one form.
"""
