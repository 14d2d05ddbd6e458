"""Web push: the browsers where staff members turned notifications on, and one encrypted,
signed push to one of them (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID).

A browser's push subscription is an endpoint on its vendor's push service (FCM, Mozilla,
Apple) and two keys; the payload is encrypted for the browser alone (aes128gcm), and the
request is signed with our VAPID key, so the push service learns neither the text nor who we
are beyond the subject we give. Requests go through config/outbound.py (the vetted address
pinned, private addresses refused unless CHINHTHONG_FETCH_ALLOWED_NETWORKS allows them).
"""

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.templatetags.static import static
from django.utils.translation import gettext as _
from pywebpush import WebPusher

from chinhthong.config import outbound, safe_json
from chinhthong.config.refusals import Refused
from chinhthong.delivery import vapid
from chinhthong.delivery.models import PushSubscription

MAX_ENDPOINT = 1000
# Browsers of one person kept at once (phone, office computer, home computer…): a new one
# past this replaces the oldest.
MAX_PER_STAFF = 10
# Push services take 4,096 bytes of encrypted payload; the JSON before encryption stays
# well below (the record adds 86 bytes and padding).
MAX_PAYLOAD = 3000
BODY_CHARACTERS = 240
# Apple's push service answers 403 with one of these when the token does not fit the
# subscription (https://developer.apple.com/documentation/usernotifications/sending-web-push-notifications-in-web-apps-and-browsers):
# signed for another key, or expired. Our subject and expiry are checked before sending
# (vapid.py), so for a subscription that worked with this key it means the subscription is gone.
APPLE_HOST_SUFFIX = "push.apple.com"
APPLE_JWT_REASONS = {"BadJwtToken", "ExpiredJwtToken"}
# The audiences py-vapid signs for: scheme, host and port, the host not an IPv6 literal.
VAPID_AUDIENCE = re.compile(r"https?://[^/:]+(:\d+)?", re.IGNORECASE)
# What outbound.fetch refuses about the address itself: trying again cannot help.
REFUSED_ADDRESS = {"private_address", "invalid_url", "credentials", "port_invalid"}


def _b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _refused(message: str, code: str) -> Refused:
    return Refused(message, code=code, status=400)


def _endpoint_form(endpoint) -> str:
    """The address's form, as at subscription so before every push: https (plain http only
    outside production, for tests on loopback), no user name, a host VAPID can name."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise _refused(_("The browser sent no usable push address."), "push_endpoint")
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018  (raises ValueError when out of range)
    except ValueError as exc:
        raise _refused(_("The browser sent no usable push address."), "push_endpoint") from exc
    schemes = ("https",) if settings.PRODUCTION else ("https", "http")
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise _refused(_("The push address must be an https address."), "push_endpoint")
    if any(ord(c) < 33 or ord(c) == 127 for c in endpoint):
        raise _refused(_("The browser sent no usable push address."), "push_endpoint")
    if not VAPID_AUDIENCE.fullmatch(_origin(endpoint)):
        # An IPv6 literal ([::1]): the token's audience cannot name it (RFC 8292 as py-vapid
        # signs it), and no push service is reached that way.
        raise _refused(
            _("The push address must name its push service by a host name."), "push_endpoint"
        )
    return endpoint


def check_endpoint(endpoint) -> str:
    """A push service's address (``_endpoint_form``), and in production a host that resolves
    to public addresses."""
    _endpoint_form(endpoint)
    if settings.PRODUCTION:
        parts = urlsplit(endpoint)
        try:
            outbound.public_address(parts.hostname, parts.port or 443)
        except outbound.FetchError as exc:
            raise _refused(
                _("The push address is not on a public push service."), "push_endpoint"
            ) from exc
    return endpoint


def check_keys(p256dh, auth) -> tuple[str, str]:
    """The browser's P-256 public key (65 bytes, a point on the curve) and its 16-byte
    authentication secret, both base64url as PushSubscription.toJSON() gives them."""
    try:
        if not isinstance(p256dh, str) or not isinstance(auth, str) or len(p256dh) > 200:
            raise ValueError
        point = _b64(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65 or len(_b64(auth)) != 16:
            raise ValueError
    except (ValueError, binascii.Error) as exc:
        raise _refused(_("The browser sent keys that are not push keys."), "push_keys") from exc
    return p256dh, auth


@transaction.atomic
def subscribe(staff, *, endpoint, p256dh, auth, user_agent: str = "") -> PushSubscription:
    """Keep (or move to ``staff``) the browser's subscription. A browser holds one per site:
    when another person signs in on it and turns notifications on, it becomes theirs."""
    endpoint = check_endpoint(endpoint)
    p256dh, auth = check_keys(p256dh, auth)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "staff": staff,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": "".join(c for c in (user_agent or "")[:300] if c.isprintable()),
        },
    )
    kept = staff.push_subscriptions.order_by("-created_at", "-pk").values_list("pk", flat=True)
    PushSubscription.objects.filter(pk__in=list(kept[MAX_PER_STAFF:])).delete()
    return subscription


def unsubscribe(staff, *, endpoint) -> bool:
    """Forget the browser's subscription (only the staff member's own)."""
    if not isinstance(endpoint, str):
        return False
    deleted, _details = PushSubscription.objects.filter(staff=staff, endpoint=endpoint).delete()
    return deleted > 0


# --- one push ---------------------------------------------------------------------------------
def topic_for(message) -> str:
    """The Topic header and the notification's tag: the same message sent again (a retry)
    replaces the one a device has not shown yet instead of coming twice (at most 32
    base64url characters, RFC 8030 §5.4)."""
    digest = hashlib.sha256((message.url or message.subject).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:32]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _icon() -> str:
    try:
        return static("chinhthong/pwa-icon-192.png")
    except ValueError:  # static files not collected on this node: the browser's own icon
        return ""


def payload(message) -> bytes:
    """What the service worker (push-sw.js) shows: title, a short text, the link to open."""
    body = _shorten(message.text, BODY_CHARACTERS)
    while True:
        data = {
            "title": _shorten(message.subject, 120),
            "body": body,
            "url": message.url,
            "urgent": bool(message.urgent),
            "tag": topic_for(message),
            "icon": _icon(),
        }
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        if len(encoded) <= MAX_PAYLOAD or not body:
            return encoded
        body = _shorten(body, max(0, len(body) // 2))


@dataclass(frozen=True)
class Outcome:
    """What one push service said: accepted (with the Location it named), or why not; ``gone``
    when the subscription no longer exists (it has been deleted)."""

    accepted: bool
    status: int = 0
    reason: str = ""
    location: str = ""
    gone: bool = False
    temporary: bool = False
    retry_after: float | None = None


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _apple_refusal(endpoint: str, answer) -> str:
    """Apple's reason for a 403 (from its host, or its documented JSON answer), or ''."""
    try:
        said = safe_json.loads(answer.body or b"{}")
    except safe_json.NotJSON:
        said = {}
    reason = said.get("reason", "") if isinstance(said, dict) else ""
    reason = reason if isinstance(reason, str) else ""
    host = (urlsplit(endpoint).hostname or "").lower()
    if host == APPLE_HOST_SUFFIX or host.endswith("." + APPLE_HOST_SUFFIX):
        return reason or "Forbidden"
    return reason if reason in APPLE_JWT_REASONS else ""


def _dead(subscription: PushSubscription, why: str) -> Outcome:
    """The subscription's address or keys are refused before anything is sent: no attempt can
    succeed, so it is deleted (the browser subscribes again when its owner turns notifications
    back on) — the other browsers of the person are tried all the same."""
    subscription.delete()
    reason = _("This browser's subscription was removed: %(why)s") % {"why": why}
    return Outcome(False, reason=reason, gone=True)


def send_one(subscription: PushSubscription, data: bytes, *, urgent: bool, topic: str) -> Outcome:
    """Encrypt ``data`` for the browser and hand it to its push service. A subscription the
    service says is gone (404, 410, Apple's 403), or whose address or keys are refused, is
    deleted. Whatever happens is this subscription's outcome, never an exception."""
    endpoint = subscription.endpoint
    try:
        _endpoint_form(endpoint)
        check_keys(subscription.p256dh, subscription.auth)
    except Refused as exc:
        return _dead(subscription, exc.message)
    keys = {"p256dh": subscription.p256dh, "auth": subscription.auth}
    try:
        body = WebPusher({"endpoint": endpoint, "keys": keys}).encode(data, "aes128gcm")["body"]
        authorization = vapid.authorization(_origin(endpoint))
    except vapid.VapidUnusable as exc:  # our key or subject: a technical failure
        return Outcome(False, reason=str(exc))
    headers = {
        "Authorization": authorization,
        "TTL": str(settings.PUSH_TTL_SECONDS),
        "Urgency": "high" if urgent else "normal",
        "Topic": topic,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
    }
    try:
        answer = outbound.fetch(
            endpoint,
            method="POST",
            headers=headers,
            content=body,
            max_bytes=64 * 1024,
            seconds=30,
            max_redirects=0,
        )
    except outbound.FetchError as exc:
        if exc.code in REFUSED_ADDRESS:
            return _dead(subscription, exc.message)
        temporary = exc.code in ("unreachable", "too_slow", "unresolvable")
        return Outcome(False, reason=exc.message, temporary=temporary)
    return _judge(subscription, answer)


def _judge(subscription: PushSubscription, answer) -> Outcome:
    status = answer.status
    said = _shorten(answer.body.decode("utf-8", "replace"), 200)
    if 200 <= status < 300:
        return Outcome(True, status, location=answer.headers.get("location", "")[:200])
    apple = _apple_refusal(subscription.endpoint, answer) if status == 403 else ""
    if status in (404, 410) or apple:
        subscription.delete()
        reason = _(
            "The push service says this browser's subscription is gone (HTTP %(status)s): %(said)s"
        ) % {"status": status, "said": apple or said or "—"}
        return Outcome(False, status, reason, gone=True)
    if status == 429 or status >= 500:
        return Outcome(
            False,
            status,
            _("The push service is busy or failing (HTTP %(status)s).") % {"status": status},
            temporary=True,
            retry_after=answer.retry_after,
        )
    if status == 413:
        reason = _("The push service refused the message as too large (HTTP 413).")
    else:
        reason = _("The push service refused the request (HTTP %(status)s): %(said)s") % {
            "status": status,
            "said": said or "—",
        }
    return Outcome(False, status, reason)
