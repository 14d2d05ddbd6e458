"""Ed25519 signatures over the published registry snapshot.

The private key lives in a file outside the database (CHINHTHONG_SIGNING_KEY_FILE), so a
database dump or replica never carries it. Verification needs only the public key, which
/registry.pub serves in PEM.
"""

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class SigningKeyMissing(RuntimeError):
    pass


def generate_key_file(path: Path) -> bool:
    """Create a private key at ``path`` unless one is there; True if created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return True


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise SigningKeyMissing(
            f"no signing key at {path}; create it with `chinhthong registry keygen`"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short fingerprint naming the key, so that a rotation is visible to consumers."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, body: bytes) -> str:
    """The signature of ``body`` in base64 (what /registry.json.sig serves)."""
    return base64.b64encode(key.sign(body)).decode("ascii")


def verify(public_key_pem: bytes, body: bytes, signature: bytes | str) -> bool:
    """True when ``signature`` (base64 text or the 64 raw bytes) is valid for ``body``."""
    public = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    raw = _signature_bytes(signature)
    try:
        public.verify(raw, body)
    except InvalidSignature:
        return False
    return True


def _signature_bytes(signature: bytes | str) -> bytes:
    if isinstance(signature, bytes) and len(signature) == 64:
        return signature
    text = signature.decode("ascii", "replace") if isinstance(signature, bytes) else signature
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ValueError("the signature is neither base64 nor 64 raw bytes") from exc
    if len(raw) != 64:
        raise ValueError("an Ed25519 signature is 64 bytes")
    return raw
