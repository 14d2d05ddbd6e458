"""Linking staff to their Zalo account, and the Official Account's webhook.

A staff member has a Zalo user id (scoped to the OA) only once they follow the OA, and only Zalo
knows it: the portal gives them a short code, they send it to the OA in Zalo, and the webhook's
``user_send_text`` event ties the sender's id to their roster entry. The same webhook reports
``user_received_message`` and ``user_seen_message`` for the messages we sent (matched by the
message id stored as the delivery's provider_id): delivery evidence, and a read.

Zalo signs each event: header ``X-ZEvent-Signature: mac=<hex>`` where the MAC is
sha256(app_id + raw body + timestamp + OA secret key), ``app_id`` and ``timestamp`` being the
event's own fields (Zalo's documented scheme, as public clients implement it).

A signature proves an event came from Zalo, not that it comes now: whoever saw one (a log, a
proxy) could post it again — an old "unfollow" would unlink the staff member who linked again
since. So an event is acted on only while its own timestamp is recent
(CHINHTHONG_ZALO_EVENT_MAX_AGE_SECONDS, and at most a few minutes ahead of our clock), and only
once: its signature is kept in the shared cache for as long as it could pass that test. Zalo
sends an event again when we did not answer 200 in time, so a copy is answered 200 and ignored.
"""

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chinhthong.clients.ratelimit import limited
from chinhthong.config import safe_json
from chinhthong.delivery.models import Channel, Delivery, Status, ZaloLinkCode
from chinhthong.reach import events
from chinhthong.reach.models import StaffMember, Via

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen, typed
CODE_LENGTH = 8
CODE_MINUTES = 30
MAX_EVENT_BYTES = 64 * 1024
MAX_TEXT = 500
# An event stamped this far ahead of our clock is still taken (clocks disagree a little).
EVENT_CLOCK_SKEW_SECONDS = 300


# --- link codes -------------------------------------------------------------------------------
@transaction.atomic
def new_link_code(staff: StaffMember) -> ZaloLinkCode:
    """A fresh code for ``staff`` (their earlier unused ones stop working)."""
    ZaloLinkCode.objects.filter(staff=staff, used_at=None).delete()
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not ZaloLinkCode.objects.filter(code=code).exists():
            break
    expires = timezone.now() + dt.timedelta(minutes=CODE_MINUTES)
    return ZaloLinkCode.objects.create(staff=staff, code=code, expires_at=expires)


def current_code(staff: StaffMember) -> ZaloLinkCode | None:
    return (
        ZaloLinkCode.objects.filter(staff=staff, used_at=None, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def _candidates(text: str) -> list[str]:
    """Every run of CODE_LENGTH letters and digits in the text, spaces and dashes removed and
    case ignored ("mã: k7m2-qxpa" holds K7M2QXPA)."""
    squeezed = re.sub(r"[^0-9A-Za-z]", "", text[:MAX_TEXT]).upper()
    return [squeezed[i : i + CODE_LENGTH] for i in range(len(squeezed) - CODE_LENGTH + 1)]


@transaction.atomic
def link_by_code(zalo_user_id: str, text: str) -> StaffMember | None:
    """Tie ``zalo_user_id`` to the staff member whose unexpired code is in ``text``. A Zalo
    account belongs to one person: whoever had that id before loses it."""
    candidates = _candidates(text)
    if not zalo_user_id or not candidates:
        return None
    found = (
        ZaloLinkCode.objects.select_for_update()
        .filter(code__in=candidates, used_at=None, expires_at__gt=timezone.now())
        .select_related("staff")
        .first()
    )
    if found is None or not found.staff.active:
        return None
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    for other in StaffMember.objects.filter(zalo_id=zalo_user_id).exclude(pk=found.staff_id):
        other.zalo_id = ""
        other._change_reason = "Zalo account linked to another staff member"
        other.save(update_fields=["zalo_id"])
    staff = found.staff
    staff.zalo_id = zalo_user_id
    staff._change_reason = "Zalo account linked by code"
    staff.save(update_fields=["zalo_id"])
    return staff


def unlink(zalo_user_id: str) -> int:
    """The user stopped following the OA: nothing can reach them there any more."""
    count = 0
    for staff in StaffMember.objects.filter(zalo_id=zalo_user_id):
        staff.zalo_id = ""
        staff._change_reason = "unfollowed the Zalo Official Account"
        staff.save(update_fields=["zalo_id"])
        count += 1
    return count


# --- delivery and read evidence ---------------------------------------------------------------
def _deliveries(message_ids: list[str]):
    ids = [i for i in message_ids if isinstance(i, str) and i][:100]
    return Delivery.objects.filter(channel=Channel.ZALO, provider_id__in=ids)


def mark_received(message_ids: list[str], *, at=None) -> int:
    """Zalo delivered these messages to the user's device."""
    at = at or timezone.now()
    return (
        _deliveries(message_ids)
        .exclude(status=Status.DELIVERED)
        .update(status=Status.DELIVERED, delivered_at=at, reason="", next_attempt_at=None)
    )


def mark_seen(message_ids: list[str], *, at=None) -> int:
    """The user opened these messages in Zalo: delivered, and the bulletin read."""
    mark_received(message_ids, at=at)
    reads = 0
    for delivery in _deliveries(message_ids).select_related("staff", "bulletin"):
        if delivery.bulletin_id and events.record_read(
            delivery.staff, delivery.bulletin, via=Via.ZALO, at=at
        ):
            reads += 1
    return reads


# --- the webhook ------------------------------------------------------------------------------
def _message_ids(event: dict) -> list[str]:
    message = event.get("message")
    if not isinstance(message, dict):
        return []
    ids = message.get("msg_ids")
    if isinstance(ids, list):
        return [str(i) for i in ids]
    return [str(message["msg_id"])] if message.get("msg_id") else []


def _at(event: dict):
    """The event's time (milliseconds since the epoch), not in the future; else now."""
    try:
        at = dt.datetime.fromtimestamp(int(event.get("timestamp")) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()
    return min(at, timezone.now())


def _id(part) -> str:
    value = part.get("id") if isinstance(part, dict) else None
    return str(value)[:64] if value else ""


def handle(event: dict) -> None:
    """Act on one verified event; events of other kinds are acknowledged and ignored."""
    name = event.get("event_name")
    if name == "user_send_text":
        message = event.get("message")
        text = message.get("text") if isinstance(message, dict) else ""
        link_by_code(_id(event.get("sender")), text if isinstance(text, str) else "")
    elif name == "user_received_message":
        mark_received(_message_ids(event), at=_at(event))
    elif name == "user_seen_message":
        mark_seen(_message_ids(event), at=_at(event))
    elif name == "unfollow":
        unlink(_id(event.get("follower")) or _id(event.get("sender")))


def _signature(header: str) -> str:
    supplied = header.strip()
    return (supplied[4:] if supplied.lower().startswith("mac=") else supplied).strip().lower()


def signature_ok(body: bytes, event: dict, header: str) -> bool:
    supplied = _signature(header)
    app_id, timestamp = str(event.get("app_id", "")), str(event.get("timestamp", ""))
    if not supplied or not timestamp or app_id != settings.ZALO_APP_ID:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # JSON may come as UTF-16; Zalo's never does
        return False
    signed = app_id + text + timestamp + settings.ZALO_OA_SECRET
    expected = hashlib.sha256(signed.encode("utf-8")).hexdigest()
    # As bytes: compare_digest refuses str with other than ASCII (a header may hold any byte).
    return hmac.compare_digest(supplied.encode("utf-8", "replace"), expected.encode())


def recent(event: dict, *, now=None) -> bool:
    """Whether the event's timestamp (milliseconds since the epoch) is within the last
    ZALO_EVENT_MAX_AGE_SECONDS and not more than EVENT_CLOCK_SKEW_SECONDS ahead."""
    try:
        stamp = int(str(event.get("timestamp", "")).strip()) / 1000
    except (ValueError, OverflowError):
        return False
    now = (now or timezone.now()).timestamp()
    return now - settings.ZALO_EVENT_MAX_AGE_SECONDS <= stamp <= now + EVENT_CLOCK_SKEW_SECONDS


def _seen_key(signature: str) -> str:
    return f"zalo-event:{signature}"


def first_time(signature: str) -> bool:
    """Record the event's signature; False when it was recorded already (a copy). Kept as long
    as the event could still pass ``recent``. With the cache unreachable (it fails open) every
    event counts as new: the age limit still bounds a replay."""
    key = _seen_key(signature)
    timeout = settings.ZALO_EVENT_MAX_AGE_SECONDS + EVENT_CLOCK_SKEW_SECONDS
    return cache.add(key, 1, timeout) or cache.get(key) is None


@csrf_exempt
@require_POST
@limited("webhook", max_body=MAX_EVENT_BYTES)
def webhook(request):
    """POST from Zalo: 200 for every verified event (Zalo retries others) — a copy of one
    already handled is acknowledged and ignored —, 403 for a bad signature, 400 for what is not
    an event or an event too old (or too far ahead) to be taken, 404 while Zalo is not set up
    here."""
    if not (settings.ZALO_APP_ID and settings.ZALO_OA_SECRET):
        return HttpResponse(status=404)
    body = request.body
    try:
        event = safe_json.loads(body)
    except safe_json.NotJSON:
        return JsonResponse({"error": "not JSON (or nested too deeply)"}, status=400)
    if not isinstance(event, dict):
        return JsonResponse({"error": "not an event"}, status=400)
    header = request.headers.get("X-ZEvent-Signature", "")
    if not signature_ok(body, event, header):
        return JsonResponse({"error": "bad signature"}, status=403)
    if not recent(event):
        log.warning("Zalo event refused: its timestamp %r is not recent", event.get("timestamp"))
        return JsonResponse({"error": "stale event: its timestamp is not recent"}, status=400)
    signature = _signature(header)
    if not first_time(signature):
        return JsonResponse({"ok": True, "duplicate": True})
    try:
        handle(event)
    except Exception:
        cache.delete(_seen_key(signature))  # not handled: Zalo's next try is not a copy
        raise
    return JsonResponse({"ok": True})
