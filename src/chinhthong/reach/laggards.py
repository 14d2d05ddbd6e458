"""Staff who lag, as they are now (their current unit): an urgent bulletin of the period not
read, the portal not opened for some days, the official app not declared. Personal data:
listed only to the managers of their unit's subtree and to administrators — the caller has
checked that the user may see ``unit`` (reach/access.py).

Each rule is a set of people taken from the events through an index (those who opened the
portal in the last days, those who read an urgent bulletin, those who declared the app) and a
staff member lags when they are missing from one: a set is read once per query, not once per
person. An urgent bulletin is owed only by those who were on the roster of a unit it was for
when it was published (reach/roster_history.py): someone added since sees it on their portal
but does not lag for it. The dashboards count with the same rules (reach/dashboards.py); what
each person lacks is worked out only for the people listed.
"""

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from chinhthong.bulletins.models import Bulletin, Urgency
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.reach import roster_history
from chinhthong.reach.events import local_day
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember, Unit

# Not opened the portal on any of the last this many days (today included).
NO_ACCESS_DAYS = 3
# An urgent bulletin not read counts over the period shown, but at most over this many days: an
# urgent notice is timely for weeks, not for months.
URGENT_DAYS = 30
# Shown on the page; the exports list everyone.
PAGE_LIMIT = 50


@dataclass
class Rules:
    """What lagging means at one moment, for one period."""

    urgent: list  # urgent bulletins published in the period (URGENT_DAYS at most)
    quiet_since: dt.date  # no access from this day on: lagging
    # Per urgent bulletin: who moved, left or came back since and did not owe it then (those
    # added to the roster since are found in the query itself).
    excused: dict = field(default_factory=dict)

    @classmethod
    def at(cls, days: int, now=None) -> "Rules":
        now = now or timezone.now()
        today = local_day(now)
        first = today - dt.timedelta(days=min(days, URGENT_DAYS) - 1)
        since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        urgent = list(
            Bulletin.objects.filter(
                status=BulletinStatus.PUBLISHED,
                urgency=Urgency.URGENT,
                published_at__gte=since,
                published_at__lte=now,
            )
            .prefetch_related("audience")
            .order_by("published_at")
        )
        excused = roster_history.excused_movers(urgent)
        return cls(urgent, today - dt.timedelta(days=NO_ACCESS_DAYS - 1), excused)


def did(kind: str, **lookups) -> QuerySet:
    """The ids of the staff who did ``kind`` (with ``lookups``), as a subquery."""
    return ReachEvent.objects.filter(kind=kind, **lookups).values("staff_id")


def _done(kind: str, few: bool, **lookups) -> Q:
    """Did ``kind``: membership of the set of those who did (read once for many people), or,
    for a ``few`` people, one look-up each (cheaper than reading the whole set)."""
    if few:
        return Q(Exists(ReachEvent.objects.filter(staff=OuterRef("pk"), kind=kind, **lookups)))
    return Q(pk__in=did(kind, **lookups))


def in_audience(bulletin: Bulletin) -> Q:
    if bulletin.whole_province:
        return Q(pk__isnull=False)
    query = Q(pk__in=[])
    for unit in bulletin.audience.all():
        query |= Q(unit__path__startswith=unit.path)
    return query


def not_owed(bulletin: Bulletin, excused=()) -> Q:
    """Not on the roster of a unit ``bulletin`` was for when it was published: added since,
    or ``excused`` (moved, left or came back since and did not owe it then)."""
    later = Q(pk__in=roster_history.joined_after(bulletin.published_at))
    return later | Q(pk__in=roster_history.among(excused)) if excused else later


def unread(bulletin: Bulletin, few: bool = False, excused=()) -> Q:
    """Owes a read of ``bulletin`` (it is for them and they were there when it came out) and
    has not read it. Most people have: whether they owed it is asked last."""
    read = _done(EventKind.READ, few, bulletin=bulletin, version__gte=bulletin.read_from_version)
    return in_audience(bulletin) & ~read & ~not_owed(bulletin, excused)


def declared(few: bool = False) -> Q:
    return _done(EventKind.APP_INSTALLED, few)


def confirmed(few: bool = False) -> Q:
    return _done(EventKind.APP_CONFIRMED, few)


def came_lately(rules: Rules, few: bool = False) -> Q:
    """Opened the portal on one of the last NO_ACCESS_DAYS days."""
    return _done(EventKind.ACCESS, few, day__gte=rules.quiet_since)


def any_unread(rules: Rules, few: bool = False) -> Q | None:
    """Has not read one of the period's urgent bulletins for them (None: there is none)."""
    if not rules.urgent:
        return None
    return functools.reduce(
        operator.or_, (unread(b, few, rules.excused.get(b.pk, ())) for b in rules.urgent)
    )


def lagging(rules: Rules, few: bool = False) -> Q:
    """Lags: no visit to the portal lately, no app declared or confirmed, or an urgent bulletin
    for them not read. (dashboards._people counts with the same parts.)"""
    condition = ~came_lately(rules, few) | (~declared(few) & ~confirmed(few))
    unread_one = any_unread(rules, few)
    return condition | unread_one if unread_one is not None else condition


def awaiting(few: bool = False) -> Q:
    """Declared the app; no manager has confirmed it yet."""
    return declared(few) & ~confirmed(few)


def _in(unit: Unit, units=None) -> QuerySet[StaffMember]:
    staff = StaffMember.objects.filter(active=True, unit__path__startswith=unit.path)
    return staff if units is None else staff.filter(unit_id__in=units)


def lagging_staff(unit: Unit, *, rules: Rules, units=None) -> QuerySet[StaffMember]:
    """Active staff now in ``unit``'s subtree (in ``units`` alone, when given: a few) who lag,
    ordered by unit and name."""
    staff = _in(unit, units)
    return staff.filter(lagging(rules, few=units is not None)).order_by("unit__path", "name", "pk")


def awaiting_confirmation(unit: Unit, *, units=None) -> QuerySet[StaffMember]:
    staff = _in(unit, units)
    return staff.filter(awaiting(few=units is not None)).order_by("unit__path", "name", "pk")


# --- what each person lacks, for the people listed -------------------------------------------
@dataclass
class Laggard:
    staff: StaffMember
    urgent_unread: int
    last_access: dt.date | None
    app_declared: dt.date | None
    app_confirmed: bool
    no_access: bool
    confirmed_by: str = ""  # the user name of the manager who confirmed the app

    @property
    def app_missing(self) -> bool:
        return self.app_declared is None and not self.app_confirmed


def _latest_day(kind: str):
    events = ReachEvent.objects.filter(staff=OuterRef("pk"), kind=kind).order_by("-day")
    return Subquery(events.values("day")[:1])


def _details(staff: QuerySet[StaffMember], rules: Rules) -> QuerySet[StaffMember]:
    unread_count = functools.reduce(
        operator.add,
        (
            Case(
                When(unread(b, True, rules.excused.get(b.pk, ())), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for b in rules.urgent
        ),
        Value(0),
    )
    confirmation = ReachEvent.objects.filter(staff=OuterRef("pk"), kind=EventKind.APP_CONFIRMED)
    return staff.select_related("unit").annotate(
        urgent_unread=unread_count,
        last_access=_latest_day(EventKind.ACCESS),
        app_declared=_latest_day(EventKind.APP_INSTALLED),
        app_confirmed=Exists(confirmation),
        confirmed_by=Subquery(confirmation.order_by("-at").values("confirmed_by__username")[:1]),
    )


def _laggard(person: StaffMember, rules: Rules) -> Laggard:
    return Laggard(
        staff=person,
        urgent_unread=person.urgent_unread,
        last_access=person.last_access,
        app_declared=person.app_declared,
        app_confirmed=person.app_confirmed,
        no_access=person.last_access is None or person.last_access < rules.quiet_since,
        confirmed_by=person.confirmed_by or "",
    )


def _first(staff: QuerySet[StaffMember], limit: int) -> list[int]:
    return list(staff.values_list("pk", flat=True)[:limit])


def _in_order(ids: list[int], found) -> list:
    order = {pk: n for n, pk in enumerate(ids)}
    return sorted(found, key=lambda person: order[person.pk])


def first_laggards(unit: Unit, *, rules: Rules, limit: int, units=None) -> list[Laggard]:
    """The first ``limit`` staff who lag, with what each lacks; ``units``: the ids of the units
    that hold them, when known (Dashboard.first_units), so that only those are asked."""
    ids = _first(lagging_staff(unit, rules=rules, units=units), limit)
    found = _details(StaffMember.objects.filter(pk__in=ids), rules)
    return [_laggard(person, rules) for person in _in_order(ids, found)]


def all_laggards(unit: Unit, *, rules: Rules):
    """Every staff member who lags, with what each lacks, one by one (for the exports)."""
    for person in _details(lagging_staff(unit, rules=rules), rules).iterator(chunk_size=2000):
        yield _laggard(person, rules)


def first_awaiting(unit: Unit, *, limit: int, units=None) -> list[StaffMember]:
    """The first ``limit`` staff awaiting a confirmation, with the day they gave (``units``: as
    for ``first_laggards``)."""
    ids = _first(awaiting_confirmation(unit, units=units), limit)
    found = (
        StaffMember.objects.filter(pk__in=ids)
        .select_related("unit")
        .annotate(app_declared=_latest_day(EventKind.APP_INSTALLED))
    )
    return _in_order(ids, found)
