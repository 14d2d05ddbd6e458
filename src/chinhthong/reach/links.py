"""Personal signed links: the link in a staff member's message opens the bulletin and records
that they read it, without a password and without a tracking pixel. The signature (Django's
signing, keyed by SECRET_KEY) ties the link to one person and one bulletin."""

from django.core import signing
from django.urls import reverse

_SALT = "chinhthong.reach.personal-link"
# A link in a message stays good for a long read-later, not for ever.
MAX_AGE = 90 * 24 * 3600


def token_for(staff, bulletin) -> str:
    return signing.dumps([staff.pk, bulletin.pk], salt=_SALT, compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """(staff id, bulletin id) for a valid, unexpired token; None otherwise."""
    try:
        staff_id, bulletin_id = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(staff_id, int) and isinstance(bulletin_id, int)):
        return None
    return staff_id, bulletin_id


def personal_path(staff, bulletin) -> str:
    return reverse("reach:read-link", kwargs={"token": token_for(staff, bulletin)})
