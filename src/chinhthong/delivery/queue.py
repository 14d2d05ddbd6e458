"""Sending: claim a batch of due rows, send each through its channel's transport, and record
every attempt — in one place for every channel (DESIGN.md, "Transports").

Claims. A worker takes up to DELIVERY_BATCH_SIZE rows of one channel with one conditional
UPDATE (status created or temporary-failure and due, or "sending" under a lease that ran out
before anything was handed over → "sending", claimed by this worker until now + the lease).
On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED; SQLite serialises writers
(BEGIN IMMEDIATE). Two workers never hold one row, and the rows of a worker that died are
taken again once its lease has run out. A worker renews its lease while it sends.

Never twice. Before a message is handed over, the row records it — `sent_at`, with a
conditional UPDATE that succeeds only while this worker still holds the row, committed at
once. A row with `sent_at` is never claimed again: if the worker dies before recording the
outcome, the sweep (`resolve_abandoned`) settles the row without sending. For email the mark
is written at the last possible moment, after the whole message and before the final "." of
SMTP DATA: killed before the mark, the server never got a complete message (it discards it)
and the row is sent again; killed after the "." was written, the server gets it whether or
not the worker lived to read the answer. Other transports are marked just before their call:
a worker killed during the call leaves a row whose outcome is unknown, recorded as a technical
failure and not resent. Retries and killed workers therefore never send a message twice. The
price is at-most-once in one window: a worker killed after the mark's commit and before it
wrote the three bytes of the "." leaves a message the server discarded. That window is a
database reply — and, with sending threads, the wait for the interpreter lock — out of the few
milliseconds a message takes; only the last row a killed thread marked can be in it, and
`resolve_abandoned` records that one as a technical failure whose outcome is unknown (the
portal and the reminders of unread urgent bulletins still reach the person). bench/RESULTS.md
counts how often a SIGKILL landed in it.

Attempts. The outcome is written once per row: delivered (rows accepted by the server are
written together), a temporary failure with the next attempt after an exponential backoff
with jitter (or the wait a provider asked for), a permanent or technical failure with the
reason, or — for a `Deferred` (quiet hours, a quota) — back in the queue until then without
counting an attempt. After DELIVERY_MAX_ATTEMPTS a temporary failure becomes final.
"""

import logging
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.delivery import messages
from chinhthong.delivery.models import Channel, Delivery, Status
from chinhthong.delivery.transports import transport_class, transport_for
from chinhthong.delivery.transports.base import (
    Deferred,
    HandoverRefused,
    Sent,
    TransportError,
)

log = logging.getLogger(__name__)

WAITING = (Status.CREATED, Status.TEMPORARY_FAILURE)
LONGEST_WAIT = 6 * 3600  # between two attempts
RECORD_EVERY = 50  # delivered rows written together


def new_claim() -> str:
    return uuid.uuid4().hex[:16]


def _lease() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def due_now(channel: str, now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(channel=channel) & (
        Q(status__in=WAITING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_until__lt=now, sent_at__isnull=True)
    )


def channels_with_due_rows() -> list[str]:
    now = timezone.now()
    return [c for c in Channel.values if Delivery.objects.filter(due_now(c, now)).exists()]


# --- claims ---------------------------------------------------------------------------------------
def claim(channel: str, claim_id: str, size: int | None = None) -> list[Delivery]:
    """Take up to ``size`` due rows of ``channel`` for ``claim_id``: rows left by a worker
    that died first, then the longest due."""
    size = size or settings.DELIVERY_BATCH_SIZE
    now = timezone.now()
    retake = Q(status=Status.SENDING, claimed_until__lt=now, sent_at__isnull=True)
    waiting = Q(status__in=WAITING, next_attempt_at__lte=now)
    rows = Delivery.objects.filter(channel=channel)
    with transaction.atomic():
        ids = list(
            rows.filter(retake, attempts__lt=settings.DELIVERY_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .order_by("claimed_until", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if len(ids) < size:
            ids += list(
                rows.filter(waiting)
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[: size - len(ids)]
            )
        if not ids:
            return []
        Delivery.objects.filter(retake | waiting, pk__in=ids).update(
            status=Status.SENDING,
            claimed_by=claim_id,
            claimed_until=now + _lease(),
            attempts=F("attempts") + 1,
            sent_at=None,
            updated_at=now,
        )
    held = Delivery.objects.filter(pk__in=ids, claimed_by=claim_id, status=Status.SENDING)
    held = held.select_related("staff__unit", "bulletin")
    if channel == Channel.WEBPUSH:
        held = held.prefetch_related("staff__push_subscriptions")
    return list(held.order_by("pk"))


def renew_lease(claim_id: str) -> int:
    return Delivery.objects.filter(
        claimed_by=claim_id, status=Status.SENDING, sent_at__isnull=True
    ).update(claimed_until=timezone.now() + _lease())


def mark_handed_over(row: Delivery, claim_id: str, provider_id: str = "") -> bool:
    """Record, committed at once, that ``row``'s message is being handed over; False when the
    row is no longer this worker's (its lease ran out and another took it): then nothing may
    be sent."""
    now = timezone.now()
    marked = Delivery.objects.filter(
        pk=row.pk, claimed_by=claim_id, status=Status.SENDING, sent_at__isnull=True
    ).update(sent_at=now, provider_id=provider_id[:200], updated_at=now)
    if marked:
        row.sent_at, row.provider_id = now, provider_id[:200]
    return marked == 1


# --- outcomes -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    row: Delivery
    sent: Sent | None = None
    error: TransportError | None = None
    deferred: Deferred | None = None
    final: str = ""  # a status the row ends with, sending nothing (messages.NothingToSend)
    reason: str = ""
    abandoned: bool = False  # another worker holds the row now: write nothing


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: DELIVERY_RETRY_SECONDS doubling with each attempt
    (at most six hours), half of it random so that failed rows do not come back together;
    never sooner than a provider asked."""
    base = min(LONGEST_WAIT, settings.DELIVERY_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    wait = base / 2 + random.uniform(0, base / 2)  # noqa: S311  (jitter, not a secret)
    return max(wait, retry_after or 0)


class Recorder:
    """Writes each outcome on its row, only while the row is still this claim's."""

    def __init__(self, claim_id: str):
        self.claim_id = claim_id
        self.delivered: list[Outcome] = []
        self.counts: dict[str, int] = {}

    def add(self, outcome: Outcome) -> None:
        if outcome.abandoned:
            self._count("abandoned")
            return
        if outcome.sent is not None:
            self.delivered.append(outcome)
            if len(self.delivered) >= RECORD_EVERY:
                self.flush()
            return
        self._write_one(outcome)

    def flush(self) -> None:
        if not self.delivered:
            return
        now = timezone.now()
        done, waiting = [], []
        for outcome in self.delivered:
            (done if outcome.sent.delivered else waiting).append(outcome)
        for outcomes, status in ((done, Status.DELIVERED), (waiting, Status.SENDING)):
            if not outcomes:
                continue
            ids = [o.row.pk for o in outcomes]
            mine = Delivery.objects.filter(pk__in=ids, claimed_by=self.claim_id)
            fields = {"status": status, "reason": "", "claimed_by": "", "claimed_until": None}
            fields.update(next_attempt_at=None, updated_at=now)
            if status == Status.DELIVERED:
                fields["delivered_at"] = now
            mine.update(**fields)
            for outcome in outcomes:  # an id the provider gave in its answer
                given = outcome.sent.provider_id[:200]
                if given and given != outcome.row.provider_id:
                    Delivery.objects.filter(pk=outcome.row.pk).update(provider_id=given)
            self._count(status, len(outcomes))
        self.delivered = []

    def _write_one(self, outcome: Outcome) -> None:
        row, now = outcome.row, timezone.now()
        fields = {"claimed_by": "", "claimed_until": None, "updated_at": now, "sent_at": None}
        if outcome.final:
            fields.update(status=outcome.final, reason=outcome.reason[:2000])
            if outcome.final == Status.DELIVERED:
                fields.update(sent_at=None, delivered_at=None, next_attempt_at=None)
        elif outcome.deferred is not None:
            # Not an attempt: back in the queue until then, the attempt given back.
            fields.update(
                status=Status.TEMPORARY_FAILURE if row.attempts > 1 else Status.CREATED,
                next_attempt_at=outcome.deferred.until,
                reason=str(outcome.deferred.reason)[:2000],
                attempts=F("attempts") - 1,
            )
        else:
            fields.update(_failure_fields(row, outcome.error, now))
        Delivery.objects.filter(pk=row.pk, claimed_by=self.claim_id).update(**fields)
        self._count(fields["status"])

    def _count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _failure_fields(row: Delivery, error: TransportError, now: datetime) -> dict:
    reason = str(error.reason)[:2000]
    if error.permanent:
        status = Status.TECHNICAL_FAILURE if error.technical else Status.PERMANENT_FAILURE
        return {"status": status, "reason": reason, "next_attempt_at": None}
    if row.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        status = Status.TECHNICAL_FAILURE if error.technical else Status.PERMANENT_FAILURE
        given_up = _("Given up after %(n)s attempts: %(reason)s") % {
            "n": row.attempts,
            "reason": reason,
        }
        return {"status": status, "reason": given_up[:2000], "next_attempt_at": None}
    wait = backoff(row.attempts, error.retry_after)
    return {
        "status": Status.TEMPORARY_FAILURE,
        "reason": reason,
        "next_attempt_at": now + timedelta(seconds=wait),
    }


# --- sending --------------------------------------------------------------------------------------
def attempt(transport, composer: messages.Composer, row: Delivery, claim_id: str) -> Outcome:
    """One attempt at one row: its message, the hand-over mark, the transport's answer."""
    try:
        message = composer.message_for(row)
    except messages.NothingToSend as nothing:
        return Outcome(row, final=nothing.final, reason=str(nothing.reason))
    except Exception as exc:  # a template or data problem: ours, and retrying will not help
        log.exception("could not prepare delivery %s", row.pk)
        reason = _("Could not prepare the message: %s") % exc
        return Outcome(row, error=TransportError(reason, permanent=True, technical=True))
    if not transport.takes_personal:
        message = message.filled()
    named = message.headers.get("Message-ID", "")
    provider_id = message.personal.get(named, named)
    handover = partial(mark_handed_over, row, claim_id, provider_id)
    try:
        if transport.calls_handover:
            sent = transport.send(message, row.staff, handover=handover)
        else:
            if not handover():
                return Outcome(row, abandoned=True)
            sent = transport.send(message, row.staff)
    except HandoverRefused:
        return Outcome(row, abandoned=True)
    except Deferred as deferred:
        return Outcome(row, deferred=deferred)
    except TransportError as error:
        return Outcome(row, error=error)
    except Exception as exc:  # a transport's own bug: counted and retried, never lost silently
        log.exception("transport %s failed on delivery %s", transport.channel, row.pk)
        return Outcome(row, error=TransportError(repr(exc)[:500], technical=True))
    return Outcome(row, sent=sent or Sent())


def send_batch(channel: str, rows: list[Delivery], claim_id: str) -> dict[str, int]:
    """Send the claimed ``rows`` through one transport session (one SMTP connection)."""
    recorder = Recorder(claim_id)
    transport = transport_for(channel)
    if transport is None:
        missing = TransportError(
            _("This channel is not available."), permanent=True, technical=True
        )
        for row in rows:
            recorder.add(Outcome(row, error=missing))
        return recorder.counts
    composer = messages.Composer(channel)
    done, taken = 0, set()
    try:
        composer.prepare(rows)
        renewed = time.monotonic()
        with transport.batch():
            for row in rows:
                done += 1
                if row.pk in taken:
                    recorder.add(Outcome(row, abandoned=True))
                    continue
                if time.monotonic() - renewed > settings.DELIVERY_LEASE_SECONDS / 3:
                    recorder.flush()
                    renew_lease(claim_id)
                    renewed = time.monotonic()
                outcome = attempt(transport, composer, row, claim_id)
                recorder.add(outcome)
                if outcome.abandoned:  # the lease ran out: which of the rest are still ours?
                    taken |= _taken_by_others(rows[done:], claim_id)
                    renew_lease(claim_id)
                    renewed = time.monotonic()
    except TransportError as error:  # the session could not start (the server does not answer)
        for row in rows[done:]:
            recorder.add(Outcome(row, error=error))
    finally:
        recorder.flush()
    return recorder.counts


def _taken_by_others(rows: list[Delivery], claim_id: str) -> set[int]:
    ids = [row.pk for row in rows]
    mine = Delivery.objects.filter(pk__in=ids, claimed_by=claim_id, status=Status.SENDING)
    return set(ids) - set(mine.values_list("pk", flat=True))


def send_due(
    channel: str, *, max_seconds: float | None = None, threads: int | None = None
) -> dict[str, int]:
    """Send ``channel``'s due rows, batch after batch, until none is due (or ``max_seconds``
    have passed); then settle rows that dead workers left. Counts per outcome.

    With DELIVERY_THREADS above 1, that many threads send at once, each with its own claim,
    database connection and SMTP connection: while one waits for the server, another
    prepares its next message."""
    threads = threads or settings.DELIVERY_THREADS
    if threads <= 1:
        counts = _send_until_done(channel, max_seconds)
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix=f"send-{channel}") as pool:
            done = [pool.submit(_in_thread, channel, max_seconds) for _n in range(threads)]
            counts = {}
            for future in done:
                for what, n in future.result().items():
                    counts[what] = counts.get(what, 0) + n
        if counts.get("more"):
            counts["more"] = 1
    resolve_abandoned(channel)
    return counts


def _in_thread(channel: str, max_seconds: float | None) -> dict[str, int]:
    try:
        return _send_until_done(channel, max_seconds)
    finally:
        connections.close_all()  # this thread's own connections


def _send_until_done(channel: str, max_seconds: float | None) -> dict[str, int]:
    claim_id = new_claim()
    counts: dict[str, int] = {}
    started = time.monotonic()
    while True:
        rows = claim(channel, claim_id)
        if not rows:
            break
        for what, n in send_batch(channel, rows, claim_id).items():
            counts[what] = counts.get(what, 0) + n
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            counts["more"] = 1
            break
    return counts


def resolve_abandoned(channel: str) -> int:
    """Settle the rows of workers that died (their lease ran out), sending nothing again.

    A worker hands its rows over one after the other and writes a failure at once; outcomes of
    accepted rows it writes in groups. So of the rows it marked as handed over without an
    outcome, all but its last were accepted: it marked the next only after the server had
    answered. Its last is uncertain — it may have died before the final step of the hand-over
    (for email, before the "." went): a technical failure whose outcome is unknown, not resent.
    Rows whose workers died too often before any hand-over are given up too."""
    now = timezone.now()
    left = Delivery.objects.filter(
        channel=channel, status=Status.SENDING, claimed_until__lt=now
    ).exclude(claimed_by="")
    settled = {"claimed_by": "", "claimed_until": None, "updated_at": now}
    last: dict[str, int] = {}
    handed = left.filter(sent_at__isnull=False).order_by("claimed_by", "sent_at", "pk")
    for claim_id, pk in handed.values_list("claimed_by", "pk"):
        last[claim_id] = pk
    found = transport_class(channel)
    accepted = {
        # Email has no receipt: accepted is as delivered as it gets (a bounce may follow).
        "status": Status.DELIVERED
        if found is not None and found.calls_handover
        else Status.SENDING,
        "reason": _("Handed over before the worker stopped; recorded after it."),
    }
    count = handed.exclude(pk__in=last.values()).update(**settled, **accepted)
    count += Delivery.objects.filter(pk__in=last.values()).update(
        **settled,
        status=Status.TECHNICAL_FAILURE,
        reason=_(
            "The worker stopped while handing it over: whether it arrived is unknown, and it "
            "is not sent again so that no one receives it twice."
        ),
    )
    count += left.filter(sent_at__isnull=True, attempts__gte=settings.DELIVERY_MAX_ATTEMPTS).update(
        **settled,
        status=Status.TECHNICAL_FAILURE,
        reason=_("Workers stopped %(n)s times while sending it.")
        % {"n": settings.DELIVERY_MAX_ATTEMPTS},
    )
    return count
