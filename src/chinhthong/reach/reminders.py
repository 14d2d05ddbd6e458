"""Reminders of urgent bulletins not read: CHINHTHONG_REMINDER_AFTER_HOURS (N) after an urgent
bulletin was published — or significantly corrected, when the new version is the one to read —
each active staff member it went to who has not read it gets one reminder, on the next channel
that reaches them: the first of CHINHTHONG_REMINDER_CHANNELS (Zalo, web push, email) that did
not carry the bulletin to them, else email again. Up to CHINHTHONG_REMINDER_ROUNDS rounds, N
hours apart; a round the scheduler missed by more than a day is not sent late.

One reminder per person, bulletin (version) and round: its Delivery row's key names them
("reminder:<bulletin>:<round>", "reminder:<bulletin>:v<version>:<round>"), and nobody who has a
row of that key on any channel is chosen again. The rows are made in bulk, then sent by the
delivery queue; delivery/reminder_messages.py says what they say, and checks again, when each
is sent, that the person has not read it meanwhile nor left.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chinhthong.bulletins.models import Bulletin, Urgency
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.delivery import services as delivery
from chinhthong.delivery.models import Channel, Delivery, Kind
from chinhthong.delivery.transports import transport_class
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember

# A round not made within this long after it was due is skipped (the scheduler was stopped).
LATE = dt.timedelta(hours=24)
INSERT_BATCH = 2000


def reminder_key(bulletin: Bulletin, version: int, round_: int) -> str:
    base = f"reminder:{bulletin.pk}"
    return f"{base}:{round_}" if version <= 1 else f"{base}:v{version}:{round_}"


def _step() -> dt.timedelta:
    return dt.timedelta(hours=settings.REMINDER_AFTER_HOURS)


def clock_start(bulletin: Bulletin) -> dt.datetime:
    """When reading the bulletin was last asked for: its publication, or the significant
    correction that asks everyone to read it again."""
    if bulletin.read_from_version > 1:
        version = bulletin.versions.filter(number=bulletin.read_from_version).first()
        if version is not None:
            return max(version.created_at, bulletin.published_at)
    return bulletin.published_at


def due_round(bulletin: Bulletin, now: dt.datetime) -> int:
    """The round of reminders due at ``now`` (0: none)."""
    if not settings.REMINDER_AFTER_HOURS:
        return 0
    elapsed = now - clock_start(bulletin)
    number = min(settings.REMINDER_ROUNDS, int(elapsed / _step()))
    if number < 1 or elapsed - number * _step() > LATE:
        return 0
    return number


def candidate_bulletins(now: dt.datetime):
    """Urgent published bulletins whose reminders may be due: published (or significantly
    corrected) within the rounds' span and a day."""
    earliest = now - settings.REMINDER_ROUNDS * _step() - LATE
    recent = Q(published_at__gte=earliest) | Q(
        read_from_version__gt=1, versions__created_at__gte=earliest
    )
    return (
        Bulletin.objects.filter(
            recent,
            status=BulletinStatus.PUBLISHED,
            urgency=Urgency.URGENT,
            published_at__lte=now,
        )
        .distinct()
        .order_by("published_at", "pk")
    )


def _sent_bulletin(bulletin: Bulletin):
    """The bulletin's own deliveries (any version's key)."""
    return Delivery.objects.filter(bulletin=bulletin, kind=Kind.BULLETIN)


def to_remind(bulletin: Bulletin, key: str):
    """Active staff of the audience the bulletin went to, who have not read the version asked
    for and have no reminder of ``key`` yet."""
    read = ReachEvent.objects.filter(
        staff=OuterRef("pk"),
        kind=EventKind.READ,
        bulletin=bulletin,
        version__gte=bulletin.read_from_version,
    )
    return (
        delivery.audience(bulletin)
        .filter(active=True)
        .filter(Exists(_sent_bulletin(bulletin).filter(staff=OuterRef("pk"))))
        .exclude(Exists(read))
        .exclude(Exists(Delivery.objects.filter(staff=OuterRef("pk"), key=key)))
    )


def reachable(channel: str, staff) -> set[int]:
    """Ids of the people of the ``staff`` queryset ``channel``'s transport can reach."""
    transport = transport_class(channel)
    if transport is None:
        return set()
    if channel == Channel.EMAIL:
        return set(staff.exclude(email="").values_list("pk", flat=True))
    candidates = StaffMember.objects.filter(pk__in=staff.values("pk")).filter(
        delivery.CANDIDATES[channel]
    )
    if channel == Channel.WEBPUSH:
        candidates = candidates.prefetch_related("push_subscriptions")
    checker = transport()
    return {person.pk for person in candidates.distinct() if checker.available_for(person)}


def choose_channels(bulletin: Bulletin, staff) -> dict[int, str]:
    """The channel of each person's reminder: the first in CHINHTHONG_REMINDER_CHANNELS that
    reaches them and did not carry the bulletin to them; else email again; else none (the
    portal lists it anyway)."""
    order = list(settings.REMINDER_CHANNELS)
    used: dict[int, set[str]] = defaultdict(set)
    carried = _sent_bulletin(bulletin).filter(staff_id__in=staff.values("pk"))
    for staff_id, channel in carried.values_list("staff_id", "channel"):
        used[staff_id].add(channel)
    reach = {channel: reachable(channel, staff) for channel in {*order, Channel.EMAIL}}
    chosen = {}
    for staff_id in staff.values_list("pk", flat=True):
        fresh = [c for c in order if staff_id in reach[c] and c not in used[staff_id]]
        if fresh:
            chosen[staff_id] = fresh[0]
        elif staff_id in reach[Channel.EMAIL]:
            chosen[staff_id] = Channel.EMAIL
    return chosen


@dataclass
class Round:
    bulletin: Bulletin
    number: int
    key: str
    channels: dict[str, int] = field(default_factory=dict)  # reminders per channel
    chosen: dict[int, str] = field(default_factory=dict)  # staff id -> channel

    @property
    def total(self) -> int:
        return sum(self.channels.values())


def plan(bulletin: Bulletin, now: dt.datetime) -> Round | None:
    """Who would be reminded of ``bulletin`` at ``now``, and on which channel (a read)."""
    number = due_round(bulletin, now)
    if not number:
        return None
    key = reminder_key(bulletin, bulletin.read_from_version, number)
    chosen = choose_channels(bulletin, to_remind(bulletin, key))
    found = Round(bulletin, number, key, chosen=chosen)
    for channel in chosen.values():
        found.channels[channel] = found.channels.get(channel, 0) + 1
    return found


def make_reminders(bulletin: Bulletin, *, now: dt.datetime | None = None) -> Round | None:
    """Make the due round's reminder rows of ``bulletin`` and queue their sending; two runs
    at once are serialised on the bulletin's row, and a second run finds nobody left."""
    now = now or timezone.now()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        found = plan(bulletin, now)
        if found is None or not found.chosen:
            return found
        made_at = timezone.now()  # the queue sends what is due by the clock
        rows = [
            Delivery(
                staff_id=staff_id,
                channel=channel,
                kind=Kind.REMINDER,
                key=found.key,
                bulletin=bulletin,
                version=bulletin.read_from_version,
                next_attempt_at=made_at,
            )
            for staff_id, channel in found.chosen.items()
        ]
        for start in range(0, len(rows), INSERT_BATCH):
            Delivery.objects.bulk_create(rows[start : start + INSERT_BATCH], ignore_conflicts=True)
        made = Delivery.objects.filter(bulletin=bulletin, key=found.key, created_at__gte=made_at)
        per_channel = made.order_by().values("channel").annotate(n=Count("pk"))
        found.channels = {line["channel"]: line["n"] for line in per_channel}
        channels = sorted(found.channels)
        transaction.on_commit(lambda: delivery.enqueue_sending(channels, senders=1))
    return found


def remind_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[Round]:
    """Every urgent bulletin's due round: the reminders made (or, ``dry_run``, that would
    be), one Round each with reminders."""
    now = now or timezone.now()
    done = []
    for bulletin in candidate_bulletins(now):
        found = plan(bulletin, now) if dry_run else make_reminders(bulletin, now=now)
        if found is not None and found.total:
            done.append(found)
    return done
