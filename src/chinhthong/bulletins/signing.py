"""Every bulletin version is signed with Ed25519, with the registry snapshot's key, so anyone
holding /registry.pub can check that a text is what the province published.

The signed body is canonical JSON (sorted keys, UTF-8, no spaces) of what the version says;
it is stored beside the signature, so a verifier needs neither the database nor our code's
idea of the fields.
"""

import json

from django.conf import settings

from chinhthong.registry import signing


def signed_body(version) -> bytes:
    document = {
        "bulletin": version.bulletin.slug,
        "version": version.number,
        "title": version.title,
        "summary": version.summary,
        "body": version.body_markdown,
        "sources": version.sources,
        "urgency": version.bulletin.urgency,
        "published_at": version.bulletin.published_at.isoformat()
        if version.bulletin.published_at
        else None,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign_version(version) -> None:
    """Fill in the version's signed body, signature and key id (the caller saves it)."""
    key = signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE)
    body = signed_body(version)
    version.signed_body = body
    version.signature = signing.sign(key, body)
    version.key_id = signing.key_id(key)


def verify_version(version, public_key_pem: bytes) -> bool:
    return signing.verify(public_key_pem, bytes(version.signed_body), version.signature)
