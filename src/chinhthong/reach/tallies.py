"""Tallies for the dashboards, as GOV.UK Notify keeps nightly summary tables: what the staff of
each unit did on each past day (DayTally), and how many read each bulletin within 24 hours of
its publication (ReadTally). A dashboard over 90 days and 30,000 people then reads a few
thousand tally rows instead of millions of events (bench/dashboard.py).

The tallies hold only what can no longer change: a day once it is over (counted again the next
day, for deliveries whose status changed late), a bulletin once its first 24 hours are over,
and each person's days with access up to yesterday (PersonTally, remade every day).
Whatever is not tallied yet, today above all, is counted from the events themselves, so a
dashboard is exact at every moment whether or not the task has run. Which reads count is
decided when the tallies are read (a significant correction raises the version staff must
read), so they are kept per version.

The counting functions here are the same ones a dashboard uses on the events.
"""

import contextlib
import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django_tasks import task

from chinhthong.bulletins.models import Bulletin
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.delivery.models import Channel, Delivery
from chinhthong.delivery.models import Kind as DeliveryKind
from chinhthong.delivery.models import Status as DeliveryStatus
from chinhthong.delivery.services import bulletin_key
from chinhthong.reach import roster_history
from chinhthong.reach.events import local_day
from chinhthong.reach.models import (
    DayTally,
    EventKind,
    PersonTally,
    ReachEvent,
    ReadTally,
    TalliedBulletin,
    TalliedDay,
)

READ_WITHIN = dt.timedelta(hours=24)
# A read recorded late (a Zalo "seen" event, a worker catching up) still counts: a bulletin is
# tallied this long after its 24 hours are over.
LATE_READS = dt.timedelta(hours=2)
# A day is counted again once, this many days after it, for deliveries whose status changed.
RECOUNT_AFTER_DAYS = 2
# The longest period a dashboard shows (dashboards.PERIODS), and a day's margin.
KEEP_DAYS = 91
COUNTED = ("shared", "visits", "accessed", *(f"delivered_{c}" for c in Channel.values))
_KINDS = {
    EventKind.SHARED: "shared",
    EventKind.SHARE_VISIT: "visits",
    EventKind.ACCESS: "accessed",
}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- counting from the events ----------------------------------------------------------------
def count_days(ids, first: dt.date, last: dt.date, bulletin=None) -> dict[int, dict]:
    """Deliveries (per channel), shares, visits brought by shares and people who opened the
    portal on the local days from ``first`` to ``last``, per unit; ``ids``: a subquery of unit
    ids, or None for all. For one bulletin: what concerns it alone.

    Deliveries are counted for every unit (the caller keeps those it shows): found by the day
    they were delivered (an index), then grouped by the staff member's unit, instead of
    asking, staff member by staff member, among millions of rows; then those of the few people
    who moved since are put back under the unit they were in when each was delivered."""
    counts: dict[int, dict] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))
    deliveries = Delivery.objects.filter(
        status=DeliveryStatus.DELIVERED,
        delivered_at__gte=_start_of(first),
        delivered_at__lt=_start_of(last + dt.timedelta(days=1)),
    )
    if bulletin is not None:
        # One bulletin: the messages that carried it alone (urgent ones), not the daily digest,
        # and its shares and visits, found through it (an index) for every unit (the caller
        # keeps its own). The days are kept here: asked of the database, they led SQLite to
        # read a whole index instead.
        deliveries = deliveries.filter(bulletin=bulletin, kind=DeliveryKind.BULLETIN)
        events = ReachEvent.objects.filter(
            bulletin=bulletin, kind__in=(EventKind.SHARED, EventKind.SHARE_VISIT)
        )
        grouped_events = [
            row
            for row in events.order_by().values("unit_id", "kind", "day").annotate(n=Count("pk"))
            if first <= row["day"] <= last
        ]
    else:
        deliveries = deliveries.filter(kind__in=(DeliveryKind.BULLETIN, DeliveryKind.DIGEST))
        events = ReachEvent.objects.filter(kind__in=list(_KINDS), day__gte=first, day__lte=last)
        if ids is not None:
            events = events.filter(unit_id__in=ids)
        grouped_events = events.order_by().values("unit_id", "kind").annotate(n=Count("pk"))
    _count_deliveries(deliveries, _start_of(first), counts, bulletin)
    for row in grouped_events:
        counts[row["unit_id"]][_KINDS[row["kind"]]] += row["n"]
    return counts


def _count_deliveries(deliveries, since: dt.datetime, counts: dict, bulletin=None) -> None:
    """``deliveries`` per channel under the unit of the person when each was delivered: their
    unit now, except for those who moved since ``since``, whose deliveries are then moved to
    the unit of the moment, from their history (reach/roster_history.py)."""
    grouped = deliveries.order_by().values("staff__unit_id", "channel").annotate(n=Count("pk"))
    for row in grouped:
        counts[row["staff__unit_id"]][f"delivered_{row['channel']}"] += row["n"]
    lines = roster_history.timelines(roster_history.changed_after(since))
    if not lines:
        return
    moved = deliveries.filter(staff_id__in=roster_history.among(lines))
    if bulletin is not None:  # the messages of one bulletin: found by the (staff, channel, key)
        keys = [bulletin_key(bulletin)]
        keys += [bulletin_key(bulletin, v) for v in range(2, bulletin.versions.count() + 1)]
        moved = moved.filter(channel__in=Channel.values, key__in=keys)
    rows = moved.order_by().values_list("staff_id", "staff__unit_id", "channel", "delivered_at")
    for staff_id, now, channel, delivered_at in rows:
        state = lines[staff_id].at(delivered_at)
        then = state[0] if state and state[0] else now
        if then != now:
            counts[now][f"delivered_{channel}"] -= 1
            counts[then][f"delivered_{channel}"] += 1


def on_time(bulletin: Bulletin) -> Q:
    """Reads of ``bulletin`` that count: of the version staff must read, within 24 hours of its
    publication (constants per bulletin, so an index finds them)."""
    return Q(
        bulletin_id=bulletin.pk,
        version__gte=bulletin.read_from_version,
        at__lte=bulletin.published_at + READ_WITHIN,
    )


def add_reads_on_time(ids, bulletins: list[Bulletin], now: dt.datetime, at) -> None:
    """Reads on time of ``bulletins`` per unit (at the time): tallied bulletins from their
    tallies, the others from the events."""
    if not bulletins:
        return
    tallied = set(
        TalliedBulletin.objects.filter(bulletin__in=bulletins).values_list("bulletin_id", flat=True)
    )
    recent = [b for b in bulletins if b.pk not in tallied]
    if tallied:
        rows = (
            ReadTally.objects.filter(
                bulletin_id__in=tallied,
                unit_id__in=ids,
                version__gte=F("bulletin__read_from_version"),
            )
            .order_by()
            .values("unit_id")
            .annotate(n=Sum("reads"))
        )
        for row in rows:
            at(row["unit_id"]).read_on_time += row["n"]
    if recent:
        counted = Q(pk__in=[])
        for bulletin in recent:
            counted |= on_time(bulletin)
        rows = (
            ReachEvent.objects.filter(counted, kind=EventKind.READ, unit_id__in=ids)
            .order_by()
            .values("unit_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            at(row["unit_id"]).read_on_time += row["n"]


# --- reading the tallies ---------------------------------------------------------------------
def tallied_until(since: dt.date, today: dt.date) -> dt.date:
    """The first day from ``since`` on that has no tally (days before it all have one)."""
    done = set(
        TalliedDay.objects.filter(day__gte=since, day__lt=today).values_list("day", flat=True)
    )
    day = since
    while day in done:
        day += dt.timedelta(days=1)
    return day


def add_counts(ids, since: dt.date, until: dt.date, at) -> None:
    """Add the tallies of the days from ``since`` to ``until`` (excluded) to the figures."""
    if until <= since:
        return
    sums = {name: Sum(name) for name in COUNTED}
    rows = (
        DayTally.objects.filter(day__gte=since, day__lt=until, unit_id__in=ids)
        .order_by()
        .values("unit_id")
        .annotate(**sums)
    )
    for row in rows:
        figures = at(row["unit_id"])
        figures.shared += row["shared"]
        figures.visits += row["visits"]
        for channel in Channel.values:
            figures.delivered[channel] += row[f"delivered_{channel}"]


def access_by_day(ids, since: dt.date, until: dt.date, today: dt.date) -> dict[dt.date, int]:
    """People of the subtree (their unit at the time) who opened the portal, day by day: the
    tallies before ``until``, the events from then on."""
    days = {since + dt.timedelta(days=n): 0 for n in range((today - since).days + 1)}
    tallied = (
        DayTally.objects.filter(day__gte=since, day__lt=until, unit_id__in=ids)
        .order_by()
        .values("day")
        .annotate(n=Sum("accessed"))
    )
    recent = (
        ReachEvent.objects.filter(
            kind=EventKind.ACCESS, day__gte=max(since, until), day__lte=today, unit_id__in=ids
        )
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    for row in [*tallied, *recent]:
        if row["day"] in days:
            days[row["day"]] += row["n"]
    return days


# --- making the tallies ----------------------------------------------------------------------
@transaction.atomic
def tally_day(day: dt.date, *, now: dt.datetime) -> int:
    """(Re)make the DayTally rows of ``day``; returns how many."""
    counts = count_days(None, day, day)
    DayTally.objects.filter(day=day).delete()
    DayTally.objects.bulk_create(
        DayTally(day=day, unit_id=unit_id, **values)
        for unit_id, values in counts.items()
        if any(values.values())
    )
    TalliedDay.objects.update_or_create(day=day, defaults={"made_at": now})
    return len(counts)


@transaction.atomic
def tally_bulletin(bulletin: Bulletin, *, now: dt.datetime) -> int:
    """Make the ReadTally rows of ``bulletin``, whose first 24 hours are over."""
    rows = (
        ReachEvent.objects.filter(
            kind=EventKind.READ,
            bulletin=bulletin,
            at__lte=bulletin.published_at + READ_WITHIN,
        )
        .order_by()
        .values("unit_id", "version")
        .annotate(n=Count("pk"))
    )
    ReadTally.objects.filter(bulletin=bulletin).delete()
    made = ReadTally.objects.bulk_create(
        ReadTally(bulletin=bulletin, unit_id=r["unit_id"], version=r["version"], reads=r["n"])
        for r in rows
    )
    TalliedBulletin.objects.update_or_create(bulletin=bulletin, defaults={"made_at": now})
    return len(made)


def people_tallied(day: dt.date) -> bool:
    """The people's tally is as of the end of ``day``."""
    return TalliedDay.objects.filter(day=day, people=True).exists()


@transaction.atomic
def tally_people(day: dt.date, *, now: dt.datetime) -> int:
    """Remake the PersonTally rows as of the end of ``day``: each person's days with access of
    the 6 and of the 29 days up to it, and the last of them."""
    rows = (
        ReachEvent.objects.filter(
            kind=EventKind.ACCESS, day__gte=day - dt.timedelta(days=28), day__lte=day
        )
        .order_by()
        .values("staff_id")
        .annotate(
            n29=Count("pk"),
            n6=Count("pk", filter=Q(day__gte=day - dt.timedelta(days=5))),
            last=Max("day"),
        )
    )
    PersonTally.objects.all().delete()
    made = PersonTally.objects.bulk_create(
        (
            PersonTally(
                staff_id=r["staff_id"], access_6=r["n6"], access_29=r["n29"], last_access=r["last"]
            )
            for r in rows
        ),
        batch_size=5000,
    )
    TalliedDay.objects.filter(people=True).update(people=False)
    TalliedDay.objects.update_or_create(day=day, defaults={"made_at": now, "people": True})
    return len(made)


def days_due(now: dt.datetime) -> list[dt.date]:
    """Past days of the longest period with no tally, or tallied before they were final."""
    today = local_day(now)
    first = today - dt.timedelta(days=KEEP_DAYS)
    made = dict(TalliedDay.objects.filter(day__gte=first).values_list("day", "made_at"))
    due = []
    for n in range(KEEP_DAYS, 0, -1):
        day = today - dt.timedelta(days=n)
        final_from = _start_of(day + dt.timedelta(days=RECOUNT_AFTER_DAYS))
        if day not in made or (made[day] < final_from <= now):
            due.append(day)
    return due


def bulletins_due(now: dt.datetime):
    return Bulletin.objects.filter(
        status=BulletinStatus.PUBLISHED,
        published_at__lte=now - READ_WITHIN - LATE_READS,
        published_at__gte=now - dt.timedelta(days=KEEP_DAYS + 1),
    ).exclude(pk__in=TalliedBulletin.objects.values("bulletin_id"))


def make_tallies(now: dt.datetime | None = None) -> tuple[int, int]:
    """Tally whatever is due; returns (days, bulletins) tallied. Two runs at once are harmless:
    the later one's rows replace the earlier's, or it gives up on a clash until the next run."""
    now = now or timezone.now()
    days = bulletins = 0
    for day in days_due(now):
        try:
            tally_day(day, now=now)
            days += 1
        except IntegrityError:
            pass
    for bulletin in bulletins_due(now):
        try:
            tally_bulletin(bulletin, now=now)
            bulletins += 1
        except IntegrityError:
            pass
    yesterday = local_day(now) - dt.timedelta(days=1)
    if not people_tallied(yesterday):
        with contextlib.suppress(IntegrityError):
            tally_people(yesterday, now=now)
    forget_before(local_day(now) - dt.timedelta(days=KEEP_DAYS))
    return days, bulletins


def forget_before(day: dt.date) -> None:
    """Tallies older than any dashboard shows."""
    DayTally.objects.filter(day__lt=day).delete()
    TalliedDay.objects.filter(day__lt=day).delete()


@task()
def make_due_tallies() -> list[int]:
    """The scheduler's hourly task (config/schedule.py)."""
    return list(make_tallies())
