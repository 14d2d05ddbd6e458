"""A thin client of the Zalo Official Account API (the PyPI packages named after Zalo are
personal-account tools or unfinished: DESIGN.md).

What the platform is known to do, and what this client does about it:
- the OA's access token lasts about 25 hours; the refresh token can be used once, and each
  refresh returns a new one. Both live in the one ZaloToken row, and a refresh happens under
  ``select_for_update``: a second worker waiting on the lock finds the new token and does not
  spend the refresh token again (spending it twice would lose the account until an
  administrator seeds new tokens with ``chinhthong delivery zalo-token``);
- a consultation (customer-service) message reaches a follower of the OA free of charge
  within the interaction window; ZNS template messages reach a phone number with an approved
  template;
- answers carry ``error`` (0 when it went) and ``message``; an invalid or expired access token
  is refreshed once and the call made again.

Requests go through config/outbound.py (public addresses only, unless
CHINHTHONG_FETCH_ALLOWED_NETWORKS allows others; tests use a stand-in on loopback).
"""

import datetime as dt
import json
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.config import outbound, safe_json
from chinhthong.delivery.models import ZaloDailyCount, ZaloToken

# Error codes of the OA API that mean "this access token is no good" (invalid, expired).
TOKEN_ERRORS = {-216, -220, -124}
# A token this close to its end is refreshed before use rather than sent and refused.
EARLY_REFRESH = dt.timedelta(minutes=5)
DEFAULT_EXPIRES_IN = 90_000  # seconds: 25 hours
SECONDS = 30
REFRESH_SECONDS = 10
MAX_ANSWER = 256 * 1024


def no_tokens() -> str:
    return _("No Zalo tokens: seed them with `chinhthong delivery zalo-token`.")


class ZaloError(Exception):
    """Zalo said no (``code`` is its error code), or could not be asked (``code`` None)."""

    def __init__(self, message: str, *, code: int | None = None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


class ZaloNotConfigured(ZaloError):
    """No app credentials, no tokens seeded, or Zalo refused our refresh token: nothing can
    be sent until an administrator acts."""


def credentials_set() -> bool:
    return bool(settings.ZALO_APP_ID and settings.ZALO_APP_SECRET)


def configured() -> bool:
    return credentials_set() and ZaloToken.objects.exclude(refresh_token="").exists()


# --- tokens -----------------------------------------------------------------------------------
@transaction.atomic
def seed_tokens(access_token: str, refresh_token: str, *, expires_in: int = DEFAULT_EXPIRES_IN):
    """Store the first tokens (from the OA's authorisation in Zalo's developer console)."""
    access_token, refresh_token = access_token.strip(), refresh_token.strip()
    if not _token_like(access_token) or not _token_like(refresh_token):
        raise ValueError("both tokens are needed, as Zalo gives them (letters, digits, -_.)")
    row = ZaloToken.objects.select_for_update().order_by("pk").first() or ZaloToken()
    row.access_token = access_token
    row.refresh_token = refresh_token
    row.access_expires_at = timezone.now() + dt.timedelta(seconds=expires_in)
    row.save()
    ZaloToken.objects.exclude(pk=row.pk).delete()
    return row


def _token_like(value: str) -> bool:
    """What can travel in an HTTP header: visible ASCII, no spaces."""
    return bool(value) and value.isascii() and all(33 <= ord(c) < 127 for c in value)


def _fresh(row: ZaloToken) -> bool:
    return bool(
        row.access_token
        and row.access_expires_at
        and row.access_expires_at > timezone.now() + EARLY_REFRESH
    )


def access_token() -> str:
    row = ZaloToken.objects.order_by("pk").first()
    if row is None or not (row.access_token or row.refresh_token):
        raise ZaloNotConfigured(no_tokens())
    if _fresh(row):
        return row.access_token
    return refresh(stale=row.access_token)


def refresh(*, stale: str = "") -> str:
    """A new access token, unless another worker already replaced ``stale`` (the token that
    was refused or is about to end) while this one waited for the row's lock. The lock is held
    during the call to Zalo (at most REFRESH_SECONDS): on SQLite that holds every writer, about
    once a day."""
    try:
        return _refresh(stale)
    except DatabaseError as exc:  # SQLite waited past its busy timeout for the lock
        raise ZaloError(
            _("The Zalo token could not be locked for its refresh: %(error)s") % {"error": exc}
        ) from exc


def _refresh(stale: str) -> str:
    if not credentials_set():
        raise ZaloNotConfigured(
            _("CHINHTHONG_ZALO_APP_ID and CHINHTHONG_ZALO_APP_SECRET are not set.")
        )
    if not _token_like(settings.ZALO_APP_SECRET):
        raise ZaloNotConfigured(
            _("CHINHTHONG_ZALO_APP_SECRET is not a secret key as Zalo gives it.")
        )
    with transaction.atomic():
        row = ZaloToken.objects.select_for_update().order_by("pk").first()
        if row is None or not row.refresh_token:
            raise ZaloNotConfigured(no_tokens())
        if row.access_token != stale and _fresh(row):
            return row.access_token
        answer = _request(
            f"{settings.ZALO_OAUTH_URL}/v4/oa/access_token",
            seconds=REFRESH_SECONDS,
            headers={
                "secret_key": settings.ZALO_APP_SECRET,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            content=urlencode(
                {
                    "app_id": settings.ZALO_APP_ID,
                    "grant_type": "refresh_token",
                    "refresh_token": row.refresh_token,
                }
            ).encode(),
        )
        if not answer.get("access_token") or not answer.get("refresh_token"):
            raise ZaloNotConfigured(
                _(
                    "Zalo refused the refresh token (%(reason)s); seed new tokens with "
                    "`chinhthong delivery zalo-token`."
                )
                % {"reason": _said(answer)},
                code=_code(answer),
            )
        row.access_token = str(answer["access_token"])
        row.refresh_token = str(answer["refresh_token"])
        row.access_expires_at = timezone.now() + dt.timedelta(seconds=_seconds(answer))
        row.save()
        return row.access_token


def _seconds(answer: dict) -> int:
    try:
        return max(60, int(answer.get("expires_in", DEFAULT_EXPIRES_IN)))
    except (TypeError, ValueError):
        return DEFAULT_EXPIRES_IN


# --- calls ------------------------------------------------------------------------------------
def _request(url: str, *, headers: dict, content: bytes, seconds: float = SECONDS) -> dict:
    try:
        answer = outbound.fetch(
            url,
            method="POST",
            headers=headers,
            content=content,
            max_bytes=MAX_ANSWER,
            seconds=seconds,
            max_redirects=0,
        )
    except outbound.FetchError as exc:
        raise ZaloError(exc.message) from exc
    if answer.status == 429 or answer.status >= 500:
        raise ZaloError(
            _("Zalo answered HTTP %(status)s.") % {"status": answer.status},
            retry_after=answer.retry_after,
        )
    try:
        data = safe_json.loads(answer.body)
    except safe_json.NotJSON as exc:
        raise ZaloError(
            _("Zalo answered HTTP %(status)s without JSON.") % {"status": answer.status}
        ) from exc
    if not isinstance(data, dict):
        raise ZaloError(
            _("Zalo answered HTTP %(status)s without JSON.") % {"status": answer.status}
        )
    return data


def _code(answer: dict) -> int | None:
    try:
        return int(answer.get("error", 0))
    except (TypeError, ValueError):
        return None


def _said(answer: dict) -> str:
    words = [
        str(answer.get(k))
        for k in ("message", "error_name", "error_description", "error_reason")
        if answer.get(k)
    ]
    return "; ".join(words)[:300] or "no reason given"


def call(url: str, body: dict) -> dict:
    """POST ``body`` as JSON with the OA's access token; on a token error, refresh once and
    call again. Returns ``data`` of a successful answer; raises ZaloError otherwise."""
    token = access_token()
    for attempt in (1, 2):
        answer = _request(
            url,
            headers={"access_token": token, "Content-Type": "application/json"},
            content=json.dumps(body, ensure_ascii=False).encode(),
        )
        code = _code(answer)
        if code == 0:
            data = answer.get("data")
            return data if isinstance(data, dict) else {}
        if code in TOKEN_ERRORS and attempt == 1:
            token = refresh(stale=token)
            continue
        raise ZaloError(_said(answer), code=code)
    raise AssertionError("unreachable")


def send_text(user_id: str, text: str) -> str:
    """A consultation message to a follower; the message id Zalo gave it."""
    data = call(
        f"{settings.ZALO_API_URL}/v3.0/oa/message/cs",
        {"recipient": {"user_id": user_id}, "message": {"text": text}},
    )
    return str(data.get("message_id", ""))


def send_zns(phone: str, template_id: str, template_data: dict, tracking_id: str) -> str:
    """A ZNS template message to a phone number (84…); the message id Zalo gave it."""
    data = call(
        f"{settings.ZALO_ZNS_URL}/message/template",
        {
            "phone": phone,
            "template_id": template_id,
            "template_data": template_data,
            "tracking_id": tracking_id,
        },
    )
    return str(data.get("msg_id", ""))


def zns_phone(phone: str) -> str:
    """A Vietnamese phone number as ZNS takes it: 84 and the number without its leading 0."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("84"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


# --- the daily quota --------------------------------------------------------------------------
def take_quota(day: dt.date) -> bool:
    """Take one message of ``day``'s quota (CHINHTHONG_ZALO_DAILY_QUOTA; 0: no cap). False when
    it is spent. One conditional update: never more than the quota, whatever the workers."""
    limit = settings.ZALO_DAILY_QUOTA
    if limit <= 0:
        return True
    ZaloDailyCount.objects.get_or_create(day=day)
    return bool(ZaloDailyCount.objects.filter(day=day, sent__lt=limit).update(sent=F("sent") + 1))


def give_back_quota(day: dt.date) -> None:
    if settings.ZALO_DAILY_QUOTA > 0:
        ZaloDailyCount.objects.filter(day=day, sent__gt=0).update(sent=F("sent") - 1)
