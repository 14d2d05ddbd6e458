"""Delivery's writes: a published bulletin fanned out to everyone in its audience on every
channel that reaches them, the daily digest, retries, one-click unsubscribe, bounces. The task
queue, the CLI, the back office and the views all call these.

Rows first, sending after: a Delivery row per (staff member, channel, key) is made in bulk —
the unique (staff, channel, key) makes doing it twice harmless — then sending tasks are queued
once the rows are committed (delivery/queue.py does the sending).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.bulletins.models import Bulletin
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.delivery import digest
from chinhthong.delivery.models import Channel, Delivery, DigestOptOut, DigestRun, Kind, Status
from chinhthong.delivery.transports import transport_class
from chinhthong.reach import organisation
from chinhthong.reach.models import StaffMember

log = logging.getLogger(__name__)

INSERT_BATCH = 2000
# Channels a bulletin goes out on at once besides the portal; email waits for the digest
# unless the bulletin is urgent.
IMMEDIATE = (Channel.WEBPUSH, Channel.ZALO)
# A cheap first cut of who may be reachable on a channel, before the transport decides.
CANDIDATES = {
    Channel.WEBPUSH: Q(push_subscriptions__isnull=False),
    Channel.ZALO: ~Q(zalo_id="") | ~Q(phone=""),
}


def bulletin_key(bulletin: Bulletin, version: int | None = None) -> str:
    """Deliveries of a bulletin; a significant correction may be sent again as its version."""
    return f"bulletin:{bulletin.pk}" if not version else f"bulletin:{bulletin.pk}:v{version}"


def audience(bulletin: Bulletin):
    """Active staff the bulletin is for: everyone, or the staff of its units' subtrees."""
    if bulletin.whole_province:
        return StaffMember.objects.filter(active=True)
    return organisation.staff_in(bulletin.audience.all())


def _reachable(channel: str, staff):
    """Ids of the staff in ``staff`` that ``channel``'s transport can reach."""
    transport = transport_class(channel)
    if transport is None or not transport.enabled():
        return []
    if channel == Channel.EMAIL:
        return list(staff.exclude(email="").values_list("pk", flat=True))
    candidates = staff.filter(CANDIDATES[channel]).distinct()
    if channel == Channel.WEBPUSH:
        candidates = candidates.prefetch_related("push_subscriptions")
    checker = transport()
    return [s.pk for s in candidates if checker.available_for(s)]


@transaction.atomic
def fan_out(bulletin: Bulletin, *, version: int | None = None) -> dict[str, int]:
    """Make the Delivery rows of a published bulletin, then queue their sending. Returns the
    rows made per channel (0 for rows that were there already)."""
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.PUBLISHED:
        raise Refused(_("Only a published bulletin is delivered."), code="not_published")
    number = version or bulletin.versions.order_by("-number").values_list("number", flat=True)[0]
    key = bulletin_key(bulletin, version)
    staff = audience(bulletin)
    now = timezone.now()
    channels = [Channel.PORTAL, *IMMEDIATE]
    if bulletin.urgency == "urgent":
        channels.insert(1, Channel.EMAIL)
    made = {}
    for channel in channels:
        portal = channel == Channel.PORTAL
        existing = Delivery.objects.filter(bulletin=bulletin, channel=channel, key=key)
        values = {
            "channel": channel,
            "kind": Kind.BULLETIN,
            "key": key,
            "bulletin": bulletin.pk,
            "version": number,
            # The portal shows it at once: delivered when made.
            "status": Status.DELIVERED if portal else Status.CREATED,
            "sent_at": now if portal else None,
            "delivered_at": now if portal else None,
            "next_attempt_at": None if portal else now,
            "created_at": now,
            "updated_at": now,
        }
        if portal or channel == Channel.EMAIL:
            reached = staff if portal else staff.exclude(email="")
            made[channel] = _insert_from(reached, existing, values)
        else:
            made[channel] = _insert(
                (Delivery(staff_id=pk, **_as_fields(values)) for pk in _reachable(channel, staff)),
                existing,
            )
    sending = [c for c in channels if c != Channel.PORTAL and made.get(c)]
    transaction.on_commit(lambda: enqueue_sending(sending))
    return made


def _as_fields(values: dict) -> dict:
    return {("bulletin_id" if k == "bulletin" else k): v for k, v in values.items()}


def _insert_from(staff, existing, values: dict) -> int:
    """One row per staff member of the ``staff`` queryset, with ``values``, skipping those
    there already: one INSERT … SELECT, however many people (bulk_create spends a fifth of a
    millisecond compiling each row: seconds for a province). The rows added to ``existing``."""
    values = {"reason": "", "attempts": 0, "claimed_by": "", "provider_id": "", **values}
    chosen = staff.order_by().values(chosen_staff=F("pk"))
    select, select_params = chosen.query.sql_with_params()
    quote = connection.ops.quote_name
    columns, exprs, params = [quote("staff_id")], ["chosen.chosen_staff"], []
    for name, value in values.items():
        field = Delivery._meta.get_field(name)
        columns.append(quote(field.column))
        if value is None:
            exprs.append("NULL")
        else:
            exprs.append("%s")
            params.append(field.get_db_prep_save(value, connection))
    table = quote(Delivery._meta.db_table)
    # Names come from the model, values are parameters: nothing a user wrote is in the text.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608
        f"FROM ({select}) chosen WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    before = existing.count()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *select_params])
    return existing.count() - before


def _insert(rows, existing) -> int:
    """Insert the Delivery ``rows`` in batches, skipping those there already; the rows added
    to the ``existing`` queryset."""
    before = existing.count()
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return existing.count() - before


def enqueue_sending(channels, *, senders: int | None = None) -> None:
    """Queue sending tasks for ``channels``: DELIVERY_SENDERS each, so that as many workers as
    there are send at once (each sends batch after batch until none is left)."""
    from chinhthong.delivery.tasks import send_due

    for channel in channels:
        for _n in range(senders or settings.DELIVERY_SENDERS):
            send_due.enqueue(channel)


# --- the daily digest -----------------------------------------------------------------------------
@transaction.atomic
def prepare_digest(day: dt.date, *, again: bool = False) -> int:
    """Make the Delivery rows of ``day``'s digest (once a day; ``again`` makes the missing
    ones, as `chinhthong delivery send-digest --date` does), and queue their sending. Returns
    the rows made."""
    run, created = DigestRun.objects.select_for_update().get_or_create(day=day)
    if not created and not again:
        return 0
    now = timezone.now()
    key = digest.key_for(day)
    rows = (
        Delivery(
            staff_id=staff_id,
            channel=Channel.EMAIL,
            kind=Kind.DIGEST,
            key=key,
            next_attempt_at=now,
        )
        for staff_id, _count in digest.recipients(day)
    )
    existing = Delivery.objects.filter(channel=Channel.EMAIL, kind=Kind.DIGEST, key=key)
    made = _insert(rows, existing)
    run.recipients = existing.count()
    run.save(update_fields=["recipients"])
    if made:
        transaction.on_commit(lambda: enqueue_sending([Channel.EMAIL]))
    return made


# A digest the scheduler missed by more than this (the installation was down) is not sent on
# its own: a morning digest in the evening would only confuse; `send-digest --date` sends it.
DIGEST_LATEST = dt.timedelta(hours=6)


def prepare_digest_if_due(now: dt.datetime | None = None) -> int:
    """The scheduler's call: the day's digest once its time has passed."""
    now = now or timezone.now()
    day = digest.due_day(now)
    if now - digest.moment(day) > DIGEST_LATEST or DigestRun.objects.filter(day=day).exists():
        return 0
    return prepare_digest(day)


# --- retries ------------------------------------------------------------------------------------
def bulletin_by_slug(slug: str) -> Bulletin:
    found = Bulletin.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound(_("No bulletin has the address %(slug)s.") % {"slug": slug})
    return found


@transaction.atomic
def retry_failed(bulletin: Bulletin, *, actor=None) -> int:
    """Send now the bulletin's deliveries waiting after a temporary failure."""
    count = Delivery.objects.filter(bulletin=bulletin, status=Status.TEMPORARY_FAILURE).update(
        next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    if count:
        channels = set(
            Delivery.objects.filter(bulletin=bulletin, status=Status.TEMPORARY_FAILURE)
            .values_list("channel", flat=True)
            .distinct()
        )
        transaction.on_commit(lambda: enqueue_sending(sorted(channels), senders=1))
    return count


# --- unsubscribe (RFC 8058) -----------------------------------------------------------------------
def unsubscribe(staff: StaffMember) -> DigestOptOut:
    """No more daily digests for ``staff`` (urgent bulletins still come)."""
    found, _created = DigestOptOut.objects.get_or_create(staff=staff)
    return found


def resubscribe(staff: StaffMember) -> None:
    DigestOptOut.objects.filter(staff=staff).delete()


def is_subscribed(staff: StaffMember) -> bool:
    return not DigestOptOut.objects.filter(staff=staff).exists()


# --- bounces --------------------------------------------------------------------------------------
def record_bounce(delivery_id: int, reason: str) -> bool:
    """A bounce for an email we handed over: a permanent failure with the server's reason."""
    now = timezone.now()
    changed = Delivery.objects.filter(
        pk=delivery_id,
        channel=Channel.EMAIL,
        status__in=[Status.DELIVERED, Status.SENDING],
    ).update(
        status=Status.PERMANENT_FAILURE,
        reason=(_("Bounced: %(reason)s") % {"reason": reason})[:2000],
        claimed_by="",
        claimed_until=None,
        updated_at=now,
    )
    return changed == 1
