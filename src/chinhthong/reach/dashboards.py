"""The figures of a unit's dashboard: for the unit and its subtree, over the last 7, 30 or 90
days, optionally for one bulletin, as one row per direct child (each covering its subtree)
and one for the unit's own staff.

Everything is counted in the database, grouped by unit; Python adds up a few rows per unit.
Two kinds of unit are used, and the page says which:
- what happened (deliveries, reads, shares, visits brought by shares) counts under the unit the
  person was in at the time (the event's ``unit``; a delivery's, the staff member's unit when it
  was delivered, from the roster's history: reach/roster_history.py);
- what people are now (staff, reads owed, days they opened the portal in the last 7 and 30
  days, the app installed) counts under their current unit.
Past days are read from the tallies (reach/tallies.py), the days since from the events.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.bulletins.models import Bulletin
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.config.refusals import NotFound
from chinhthong.delivery.models import Channel
from chinhthong.reach import access, events, laggards, roster_history, tallies
from chinhthong.reach.events import local_day
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember, Unit

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
# Days a person opened the portal are counted over these windows, ending today; "regular" is
# at least this many of them (letter 365 asks for every day).
WINDOWS = (7, 30)
REGULAR_DAYS = {7: 5, 30: 20}
CHANNELS = tuple(Channel.values)


@dataclass
class Figures:
    staff: int = 0
    delivered: dict = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    # Reads owed: each active staff member once per bulletin of the period for them, if they
    # were on the roster of a unit it was for when it was published.
    expected_reads: int = 0
    read_on_time: int = 0
    shared: int = 0
    visits: int = 0
    access_days: dict = field(default_factory=lambda: dict.fromkeys(WINDOWS, 0))
    regular: dict = field(default_factory=lambda: dict.fromkeys(WINDOWS, 0))
    app_declared: int = 0
    app_confirmed: int = 0
    lagging: int = 0  # staff who lag now (reach/laggards.py)
    awaiting: int = 0  # declared the app, waiting for a manager's confirmation

    def add(self, other: "Figures") -> None:
        for name in (
            "staff",
            "expected_reads",
            "read_on_time",
            "shared",
            "visits",
            "app_declared",
            "app_confirmed",
            "lagging",
            "awaiting",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for channel in CHANNELS:
            self.delivered[channel] += other.delivered[channel]
        for window in WINDOWS:
            self.access_days[window] += other.access_days[window]
            self.regular[window] += other.regular[window]

    @property
    def delivered_total(self) -> int:
        return sum(self.delivered.values())

    @property
    def delivered_list(self) -> list[int]:
        return [self.delivered[channel] for channel in CHANNELS]

    @property
    def read_on_time_share(self) -> float | None:
        return share(self.read_on_time, self.expected_reads)

    @property
    def average_days(self) -> dict:
        return {w: (self.access_days[w] / self.staff if self.staff else None) for w in WINDOWS}

    @property
    def regular_share(self) -> dict:
        return {w: share(self.regular[w], self.staff) for w in WINDOWS}

    @property
    def app_declared_share(self) -> float | None:
        return share(self.app_declared, self.staff)

    @property
    def app_confirmed_share(self) -> float | None:
        return share(self.app_confirmed, self.staff)

    @property
    def percents(self) -> dict:
        """The shares as whole percentages for the page (None: nothing to divide)."""
        shares = {
            "read": self.read_on_time_share,
            "declared": self.app_declared_share,
            "confirmed": self.app_confirmed_share,
            **{f"regular_{w}": s for w, s in self.regular_share.items()},
        }
        return {k: (round(v * 100) if v is not None else None) for k, v in shares.items()}


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction (None when there is nothing to divide)."""
    return min(part / whole, 1.0) if whole else None


@dataclass
class Row:
    unit: Unit
    figures: Figures
    own: bool = False  # the unit's own staff, without its subtree


@dataclass
class Dashboard:
    unit: Unit
    days: int
    since: dt.date
    today: dt.date
    bulletin: Bulletin | None
    total: Figures
    rows: list[Row]
    tallied_until: dt.date  # days before this one were read from the tallies
    access_by_day: dict  # day -> people who opened the portal
    per_unit: dict  # unit id -> Figures, for every unit of the subtree with any
    paths: dict  # unit id -> path, for every unit of the subtree

    def first_units(self, figure: str, limit: int) -> list[int]:
        """The units, in the order staff are listed (by path), that hold the first ``limit``
        people counted in ``figure`` ("lagging", "awaiting"): a list of them is then asked of
        those units alone."""
        chosen, counted = [], 0
        for unit_id in sorted(self.paths, key=self.paths.get):
            n = getattr(self.per_unit[unit_id], figure) if unit_id in self.per_unit else 0
            if n:
                chosen.append(unit_id)
                counted += n
                if counted >= limit:
                    break
        return chosen


def period_start(today: dt.date, days: int) -> dt.date:
    return today - dt.timedelta(days=days - 1)


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def subtree_ids(unit: Unit):
    """The ids of ``unit`` and every unit below it, as a subquery."""
    return Unit.objects.filter(path__startswith=unit.path).values("id")


def buckets(unit: Unit) -> tuple[list[Unit], dict[int, int], dict[int, str]]:
    """The direct children of ``unit`` (by name); for every unit of the subtree, the id of the
    row it counts in (the child whose subtree holds it, or ``unit`` itself); and their paths."""
    children = list(unit.children.order_by("name"))
    bucket = {unit.pk: unit.pk}
    paths = dict(Unit.objects.filter(path__startswith=unit.path).values_list("id", "path"))
    for pk, path in paths.items():
        rest = path[len(unit.path) :]
        if rest:
            bucket[pk] = int(rest.split("/", 1)[0])
    return children, bucket, paths


def published_bulletins(since: dt.date, now: dt.datetime):
    return Bulletin.objects.filter(
        status=BulletinStatus.PUBLISHED, published_at__gte=start_of(since), published_at__lte=now
    )


def dashboard(
    unit: Unit,
    *,
    days: int = DEFAULT_PERIOD,
    bulletin: Bulletin | None = None,
    now=None,
    rules: laggards.Rules | None = None,
) -> Dashboard:
    """The figures of ``unit``'s subtree, in total and per row. The caller has checked that the
    user may see ``unit`` (reach/access.py)."""
    now = now or timezone.now()
    rules = rules or laggards.Rules.at(days, now)
    today = local_day(now)
    since = period_start(today, days)
    children, bucket, paths = buckets(unit)
    per_unit: dict[int, Figures] = {}

    def at(unit_id: int) -> Figures:
        found = per_unit.get(unit_id)
        if found is None:
            found = per_unit[unit_id] = Figures()
        return found

    ids = subtree_ids(unit)
    _people(ids, today, rules, at)
    until = tallies.tallied_until(since, today)
    # One bulletin is counted from its own events (an index finds them), never the tallies.
    counted_from = since if bulletin else until
    tallies.add_counts(ids, since, counted_from, at)
    _recent_counts(ids, counted_from, now, bulletin, at)
    bulletins = (
        [bulletin]
        if bulletin
        else list(published_bulletins(since, now).prefetch_related("audience"))
    )
    _expected_reads(per_unit, paths, bulletins)
    _not_owed_by_newcomers(per_unit, paths, bulletins)
    tallies.add_reads_on_time(ids, bulletins, now, at)

    rows = {child.pk: Row(unit=child, figures=Figures()) for child in children}
    rows[unit.pk] = Row(unit=unit, figures=Figures(), own=True)
    total = Figures()
    for unit_id, figures in per_unit.items():
        row = rows.get(bucket.get(unit_id))
        if row is not None:  # a unit moved out of the subtree since: counted elsewhere now
            row.figures.add(figures)
            total.add(figures)
    ordered = [rows[child.pk] for child in children] + [rows[unit.pk]]
    trend = tallies.access_by_day(ids, since, until, today)
    return Dashboard(
        unit, days, since, today, bulletin, total, ordered, until, trend, per_unit, paths
    )


# --- what people are now (their current unit) ----------------------------------------------
def _access_days(since: dt.date, today: dt.date):
    """Days a person opened the portal from ``since`` to today, from the events (one look-up
    per person: the way when the people's tally is not there)."""
    days = (
        ReachEvent.objects.filter(
            staff=OuterRef("pk"), kind=EventKind.ACCESS, day__gte=since, day__lte=today
        )
        .order_by()
        .values("staff")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(days), 0)


def _person(today: dt.date, rules: laggards.Rules) -> dict:
    """Each person's days with access before today in the last 7 and 30 days (``prior_7``,
    ``prior_30``), whether they came today (``today``) and on the days before that count as
    lately (``recent``), as expressions: from yesterday's people's tally when it is there, else
    all from the events (one look-up per person, today included in ``prior_*``)."""
    if tallies.people_tallied(today - dt.timedelta(days=1)):
        return {
            "prior_7": Coalesce(F("tally__access_6"), 0),
            "prior_30": Coalesce(F("tally__access_29"), 0),
            "today": _flag(Q(pk__in=laggards.did(EventKind.ACCESS, day=today))),
            "recent": _flag(Q(tally__last_access__gte=rules.quiet_since)),
        }
    return {
        **{f"prior_{w}": _access_days(period_start(today, w), today) for w in WINDOWS},
        "today": Value(0, output_field=IntegerField()),
        "recent": _flag(laggards.came_lately(rules)),
    }


def _flag(condition: Q | None):
    """1 where ``condition`` holds, else 0 (always 0 for None)."""
    if condition is None:
        return Value(0, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# Per unit, from each person's figures: added up, and the people lagging (reach/laggards.py:
# no visit lately, no app declared nor confirmed, an urgent bulletin unread) or awaiting a
# confirmation. Each person's figures are worked out once, in a materialised common table
# expression (SQLite would otherwise work them out again in every sum that uses them).
_PER_UNIT = """
WITH people AS MATERIALIZED ({people})
SELECT unit_id, COUNT(*),
  SUM(prior_7 + today), SUM(CASE WHEN prior_7 + today >= %s THEN 1 ELSE 0 END),
  SUM(prior_30 + today), SUM(CASE WHEN prior_30 + today >= %s THEN 1 ELSE 0 END),
  SUM(declared), SUM(confirmed),
  SUM(CASE WHEN (recent = 0 AND today = 0) OR (declared = 0 AND confirmed = 0) OR unread = 1
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN declared = 1 AND confirmed = 0 THEN 1 ELSE 0 END)
FROM people GROUP BY unit_id
"""


def _people(ids, today: dt.date, rules: laggards.Rules, at) -> None:
    people = (
        StaffMember.objects.filter(active=True, unit_id__in=ids)
        .annotate(
            **_person(today, rules),
            declared=_flag(laggards.declared()),
            confirmed=_flag(laggards.confirmed()),
            unread=_flag(laggards.any_unread(rules)),
        )
        .order_by()
        .values(
            "unit_id", "prior_7", "prior_30", "today", "recent", "declared", "confirmed", "unread"
        )
    )
    inner, params = people.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_PER_UNIT.format(people=inner), [*params, REGULAR_DAYS[7], REGULAR_DAYS[30]])
        rows = cursor.fetchall()
    for unit_id, n, d7, r7, d30, r30, declared, confirmed, lagging, awaiting in rows:
        figures = at(unit_id)
        figures.staff += n
        figures.access_days[7] += d7 or 0
        figures.regular[7] += r7 or 0
        figures.access_days[30] += d30 or 0
        figures.regular[30] += r30 or 0
        figures.app_declared += declared or 0
        figures.app_confirmed += confirmed or 0
        figures.lagging += lagging or 0
        figures.awaiting += awaiting or 0


def _expected_reads(per_unit: dict, paths: dict, bulletins: list[Bulletin]) -> None:
    """Each active staff member of the subtree owes one read of each bulletin published for
    them: from the staff per unit (counted with the people) and the bulletins' audiences
    (units, not people, are walked here). Those who did not owe it then are taken off next."""
    staffed = [(unit_id, f) for unit_id, f in per_unit.items() if f.staff and unit_id in paths]
    for bulletin in bulletins:
        audience = roster_history.audience_paths(bulletin)
        for unit_id, figures in staffed:
            if audience is None or any(paths[unit_id].startswith(p) for p in audience):
                figures.expected_reads += figures.staff


def _not_owed_by_newcomers(per_unit: dict, paths: dict, bulletins: list[Bulletin]) -> None:
    """Take off the reads counted for people who were not on the roster of a unit a bulletin
    was for when it was published: added to the roster since, or moved, gone and back since
    (reach/roster_history.py). Only the people whose entry changed since the period's first
    bulletin are read: usually a handful."""
    if not bulletins:
        return
    published = roster_history.Published(bulletins)
    first = published.times[0]
    lines = roster_history.timelines(roster_history.changed_after(first))
    joined = dict(roster_history.joined_after(first).values_list("id", "history_date"))
    if not lines and not joined:
        return
    # Where the active ones are now.
    current = StaffMember.objects.filter(
        active=True, pk__in=roster_history.among([*lines, *joined])
    ).order_by()
    then = roster_history.unit_paths(lines) if lines else {}
    not_owed: dict[tuple[int, int], int] = {}  # (unit now, bulletin's position) -> people
    added: dict[tuple[int, int], int] = {}  # (unit now, bulletins before they came) -> people
    for pk, unit_id in current.values_list("pk", "unit_id"):
        if unit_id not in paths:  # not in the subtree
            continue
        if pk in lines:
            for n in published.not_owed(lines[pk], then):
                not_owed[unit_id, n] = not_owed.get((unit_id, n), 0) + 1
        else:  # added since: not owed what came out before
            key = (unit_id, published.before(joined[pk]))
            added[key] = added.get(key, 0) + 1
    for (unit_id, before), people in added.items():
        for n in range(before):
            not_owed[unit_id, n] = not_owed.get((unit_id, n), 0) + people
    for (unit_id, n), people in not_owed.items():
        if roster_history.is_for(paths[unit_id], published.audiences[n]):
            per_unit[unit_id].expected_reads -= people


# --- what happened (the unit at the time), since the tallies end ----------------------------
def _recent_counts(ids, start: dt.date, now: dt.datetime, bulletin, at) -> None:
    """Deliveries, shares and visits from ``start`` until ``now``, from the events."""
    if start > local_day(now):
        return
    for unit_id, counts in tallies.count_days(ids, start, local_day(now), bulletin).items():
        figures = at(unit_id)
        for channel in CHANNELS:
            figures.delivered[channel] += counts[f"delivered_{channel}"]
        figures.shared += counts["shared"]
        figures.visits += counts["visits"]


def bulletin_choices(unit: Unit, *, now=None) -> list[Bulletin]:
    """Bulletins published in the longest period, newest first, for the filter."""
    now = now or timezone.now()
    since = period_start(local_day(now), max(PERIODS))
    return list(published_bulletins(since, now).prefetch_related("versions"))


# --- the one write of the dashboards ----------------------------------------------------------
@transaction.atomic
def confirm_app(actor, staff_id, *, within: Unit) -> ReachEvent:
    """A manager confirms that a staff member of ``within``'s subtree (which they may see)
    installed the official app, as that person declared; the manager is recorded with it.
    Refused (nothing recorded) when there is no declaration, it is confirmed already, or it is
    the manager's own (reach/events.py)."""
    staff = access.staff_for(actor, staff_id)
    if not staff.active or not staff.unit.path.startswith(within.path):
        raise NotFound(_("There is no such staff member."), code="no_staff")
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()  # one confirmation
    return events.confirm_app_installed(staff, manager=actor)
