"""API keys: programs (a mail gateway) call the API under their own rate limit instead of the
public per-address one. A key is 32 random bytes, so a SHA-256 digest is enough to store it
(passwords, guessable, get Argon2 instead); the key itself is shown once, when it is made."""

import contextlib
import hashlib
import secrets
import threading
import time
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError
from django.utils.translation import gettext as _

from chinhthong.clients.models import ApiClient, validate_rate
from chinhthong.config.validators import validate_one_line

PREFIX = "ct_"
REFRESH_SECONDS = 30.0  # a revoked key stops working within this long on every process


class ApiKeyRefused(ValueError):
    """A request or a command the key service refuses, with a message for people."""


class Client(NamedTuple):
    name: str
    rate: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def checked_rate(rate: str) -> str:
    try:
        validate_rate(rate)
    except ValidationError as exc:
        raise ApiKeyRefused(exc.messages[0]) from exc
    return rate


def _checked_description(description: str) -> str:
    try:
        validate_one_line(description)
    except ValidationError as exc:
        raise ApiKeyRefused(_("Description: %(problem)s") % {"problem": exc.messages[0]}) from exc
    return description


def create(name: str, rate: str = "6000/m", description: str = "") -> tuple[ApiClient, str]:
    """A new client and its key (shown once; only its digest is kept)."""
    checked_rate(rate)
    _checked_description(description)
    try:
        validate_slug(name)
    except ValidationError as exc:
        raise ApiKeyRefused(
            _(
                "“%(name)s” cannot name an API client: use letters without diacritics, digits "
                "and hyphens, e.g. mail-gateway."
            )
            % {"name": name}
        ) from exc
    if ApiClient.objects.filter(name=name).exists():
        raise ApiKeyRefused(_("An API client named “%(name)s” already exists.") % {"name": name})
    key = PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        description=description,
        rate=rate,
        key_prefix=key[:10],
        key_digest=digest(key),
    )
    forget()
    return client, key


def revoke(name: str) -> None:
    if not ApiClient.objects.filter(name=name).update(active=False):
        raise ApiKeyRefused(_("There is no API client named “%(name)s”.") % {"name": name})
    forget()


# --- looking a key up on every request ------------------------------------------------------
_lock = threading.Lock()
_state: dict = {"clients": {}, "loaded": -1e9}


def client_for(key: str) -> Client | None:
    """The active client holding ``key``, from a table each process reloads every
    REFRESH_SECONDS (one query), so a request costs a digest and a dictionary look-up."""
    now = time.monotonic()
    if now - _state["loaded"] >= REFRESH_SECONDS:
        with _lock:
            if now - _state["loaded"] >= REFRESH_SECONDS:
                # While the database is unreachable the last table is kept.
                with contextlib.suppress(DatabaseError):
                    _state["clients"] = {
                        row.key_digest: Client(row.name, row.rate)
                        for row in ApiClient.objects.filter(active=True)
                    }
                _state["loaded"] = now
    return _state["clients"].get(digest(key))


def forget() -> None:
    """Reload the table on the next look-up (after a change made in this process)."""
    _state["loaded"] = -1e9
