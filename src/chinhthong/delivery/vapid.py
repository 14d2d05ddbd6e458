"""The VAPID key pair (RFC 8292) that signs every web push, and the subject that names us.

The private key is a PEM file outside the database (settings.VAPID_KEY_FILE, by default
var/keys/vapid-p256.pem, mode 0600), made once by `chinhthong setup`: browsers subscribe with
its public key, so every node that serves the portal or sends pushes must hold the same file,
and a new key makes every existing subscription useless (the push services refuse it).
"""

import base64
import re
import time
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils.translation import gettext as _
from py_vapid import Vapid02, VapidException

# A push service refuses a token that lives longer than a day (Apple: "more than one day
# into the future"); twelve hours leaves room for clocks that disagree.
TOKEN_SECONDS = 12 * 3600
# mailto: with a real domain (a dot in it, no localhost), or an https: origin (no port, no
# path: what py-vapid signs); no spaces or angle brackets, which Apple's push service refuses.
_MAILTO = re.compile(r"mailto:[^\s<>@:/]+@(?!localhost\b)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_HTTPS = re.compile(r"https://(?!localhost\b)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class VapidUnusable(Exception):
    """No key, or a subject push services would refuse: nothing can be sent; says why."""


def generate_key_file(path: Path) -> bool:
    """Create a P-256 private key at ``path`` unless one is there; True if created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return True


def available() -> bool:
    return Path(settings.VAPID_KEY_FILE).is_file()


@cache
def _load(path: str, mtime_ns: int) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise VapidUnusable(
            _("%(path)s does not hold a P-256 (secp256r1) private key.") % {"path": path}
        )
    return key


def private_key() -> ec.EllipticCurvePrivateKey:
    path = Path(settings.VAPID_KEY_FILE)
    try:
        return _load(str(path), path.stat().st_mtime_ns)
    except FileNotFoundError as exc:
        raise VapidUnusable(
            _(
                "No web push (VAPID) key at %(path)s: `chinhthong setup` or `chinhthong delivery "
                "vapid-keygen` makes it, and every node needs the same file."
            )
            % {"path": path}
        ) from exc
    except ValueError as exc:
        raise VapidUnusable(
            _("%(path)s is not a PEM private key: %(error)s") % {"path": path, "error": exc}
        ) from exc


def public_key() -> str:
    """The application server key browsers subscribe with: the uncompressed point, base64url
    without padding (what PushManager.subscribe takes)."""
    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def subject() -> str:
    """The configured subject, when push services would accept it."""
    value = settings.VAPID_SUBJECT.strip()
    if not (_MAILTO.fullmatch(value) or _HTTPS.fullmatch(value)):
        raise VapidUnusable(
            _(
                "CHINHTHONG_VAPID_SUBJECT “%(subject)s” is not a mailto: address with a real "
                "domain or an https: address; set it (or CHINHTHONG_MAIL_FROM) to a mailbox "
                "that is read."
            )
            % {"subject": value}
        )
    return value


def authorization(endpoint_origin: str, *, now: float | None = None) -> str:
    """The Authorization header for a push to ``endpoint_origin`` (scheme://host[:port]):
    ``vapid t=<JWT signed with ES256>, k=<public key>``."""
    signer = Vapid02(private_key())
    expires = int((now or time.time()) + TOKEN_SECONDS)
    claims = {"aud": endpoint_origin, "sub": subject(), "exp": expires}
    try:
        return signer.sign(claims)["Authorization"]
    except VapidException as exc:  # a claim py-vapid will not sign (its English is not shown)
        raise VapidUnusable(
            _("The web push token for %(origin)s could not be signed.")
            % {"origin": endpoint_origin}
        ) from exc
