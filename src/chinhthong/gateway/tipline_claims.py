"""Each forwarded message answered once, whichever run, or how many runs at once, read it.

A run claims a message by inserting its row (the key is unique) in state CLAIMED with a token
and a lease; a second run finds the row and leaves the message alone while the lease lasts.
The reply is recorded as handed over (REPLIED) by a conditional update on that token just
before the message can no longer be withdrawn (the delivery email transport calls
``handover`` before the final "." of SMTP DATA), so:

- a run that dies before the hand-over leaves a CLAIMED row whose lease runs out; the next run
  takes it over (a new token, counted as an attempt) and answers — nothing had left;
- a run that dies after the hand-over leaves a REPLIED row: the message is never answered
  again, even if the server had not yet taken the reply (at most once: two verdicts for one
  message, perhaps different after a registry change, would confuse more than none);
- a run whose lease ran out while it was still sending finds its token replaced, and its
  hand-over refused: the transport withdraws the message.

The hourly limit per sender counts the replies handed over in the last hour; runs at the same
moment may each answer one more message than the limit before they see each other's rows.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from chinhthong.gateway.models import Forwarded, TiplineMessage, TiplineStatus

LEASE = dt.timedelta(minutes=2)  # longer than one message's check and SMTP exchange
MAX_ATTEMPTS = 30  # runs that tried to send a reply (about half an hour of retries)
HOW_TO_EVERY = dt.timedelta(hours=24)  # "how to forward" at most once a day per sender
HOUR = dt.timedelta(hours=1)


def sender_hash(address: str) -> str:
    """A keyed hash of the forwarder's address: enough to count, not to read it back."""
    return salted_hmac(
        "chinhthong.gateway.tipline", address.lower(), algorithm="sha256"
    ).hexdigest()


def claim(key: str, sender: str) -> TiplineMessage | str:
    """The row, claimed by this run; or "done" (answered or decided before), or "busy"
    (another run holds it now)."""
    token, until = uuid.uuid4().hex, timezone.now() + LEASE
    try:
        with transaction.atomic():
            return TiplineMessage.objects.create(
                key=key,
                sender_hash=sender_hash(sender),
                status=TiplineStatus.CLAIMED,
                claim_token=token,
                claimed_until=until,
                attempts=1,
            )
    except IntegrityError:
        pass
    row = TiplineMessage.objects.filter(key=key).first()
    if row is None:  # deleted meanwhile (an operator): the next run takes it
        return "busy"
    if row.status != TiplineStatus.CLAIMED:
        return "done"
    if row.claimed_until and row.claimed_until > timezone.now():
        return "busy"
    taken = TiplineMessage.objects.filter(
        pk=row.pk, status=TiplineStatus.CLAIMED, claim_token=row.claim_token
    ).update(claim_token=token, claimed_until=until, attempts=F("attempts") + 1)
    if not taken:
        return "busy"
    row.refresh_from_db()
    return row


def _mine(row: TiplineMessage, status=TiplineStatus.CLAIMED):
    return TiplineMessage.objects.filter(pk=row.pk, status=status, claim_token=row.claim_token)


def over_limit(row: TiplineMessage, forwarded: str) -> bool:
    """Whether the sender was answered enough already: CHINHTHONG_TIPLINE_REPLIES_PER_HOUR
    replies in the last hour, or (nothing forwarded) a "how to forward" in the last day."""
    now = timezone.now()
    replied = TiplineMessage.objects.filter(
        sender_hash=row.sender_hash, status=TiplineStatus.REPLIED
    ).exclude(pk=row.pk)
    if (
        forwarded == Forwarded.NONE
        and replied.filter(forwarded=Forwarded.NONE, answered_at__gte=now - HOW_TO_EVERY).exists()
    ):
        return True
    return replied.filter(answered_at__gte=now - HOUR).count() >= settings.TIPLINE_REPLIES_PER_HOUR


def hand_over(row: TiplineMessage, *, forwarded: str, verdict: str, reply_id: str) -> bool:
    """Record the reply as handed over, if this run still holds the row."""
    return bool(
        _mine(row).update(
            status=TiplineStatus.REPLIED,
            forwarded=forwarded,
            verdict=verdict,
            reply_id=reply_id[:255],
            answered_at=timezone.now(),
            claimed_until=None,
            error="",
        )
    )


def record(row: TiplineMessage, status: str, *, forwarded: str, verdict: str, error="") -> bool:
    """Close a claimed row without a reply (LIMITED, FAILED)."""
    return bool(
        _mine(row).update(
            status=status,
            forwarded=forwarded,
            verdict=verdict,
            claimed_until=None,
            error=error[:1000],
        )
    )


def not_taken(row: TiplineMessage, error: str, *, handed_over: bool) -> str:
    """The mail server did not take the reply (a 4xx, or no answer): the row is released for
    the next run, "deferred"; after MAX_ATTEMPTS runs, or when the server refused it for good
    (the caller passes permanent errors to ``record``), "failed"."""
    status = TiplineStatus.REPLIED if handed_over else TiplineStatus.CLAIMED
    if row.attempts >= MAX_ATTEMPTS:
        _mine(row, status).update(status=TiplineStatus.FAILED, claimed_until=None, error=error)
        return "failed"
    _mine(row, status).update(
        status=TiplineStatus.CLAIMED,
        answered_at=None,
        claimed_until=timezone.now(),
        error=error[:1000],
    )
    return "deferred"


def refused_for_good(row: TiplineMessage, error: str, *, handed_over: bool) -> None:
    status = TiplineStatus.REPLIED if handed_over else TiplineStatus.CLAIMED
    _mine(row, status).update(status=TiplineStatus.FAILED, claimed_until=None, error=error[:1000])
