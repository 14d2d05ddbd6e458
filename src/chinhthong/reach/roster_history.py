"""Who was on which unit's roster at a past moment, from the roster's history: simple-history
keeps a row of a StaffMember for every save (created, moved between units, left, came back,
any edit).

Only the people whose entry changed since a moment have their history read (an index on the
history's date finds them); everyone else is now as they were then. Two uses:
- a bulletin is owed a read only by the people who were on the roster of a unit it was for
  when it was published (reach/dashboards.py, reach/laggards.py): someone added later sees it
  on their portal but is not counted as owing it, nor listed as lagging for it;
- a delivery counts under the unit the person was in when it was delivered (reach/tallies.py).

Staff written without history (bench data's bulk inserts) count as having always been as they
are now.
"""

import datetime as dt
import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from chinhthong.reach.models import StaffMember, Unit

History = StaffMember.history.model


def among(ids) -> RawSQL:
    """``ids`` as a subquery with one parameter, for ``pk__in=among(ids)``: a reorganisation
    may move more people than a query may have parameters (32,766 on SQLite)."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def joined_after(moment: dt.datetime) -> QuerySet:
    """Ids of the people whose roster entry was created after ``moment``, as a subquery."""
    return History.objects.filter(history_type="+", history_date__gt=moment).values("id")


def changed_after(moment: dt.datetime) -> list[int]:
    """Ids of the people who moved to another unit, left or came back after ``moment``: their
    rows after it whose unit or state differ from the row before."""
    earlier = History.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    rows = list(
        History.objects.filter(history_type="~", history_date__gt=moment)
        .annotate(before=Subquery(earlier.values("history_id")[:1]))
        .values_list("id", "unit_id", "active", "before")
    )
    if not rows:
        return []
    found = History.objects.filter(history_id__in=among({row[3] for row in rows if row[3]}))
    before = {
        pk: (unit, active)
        for pk, unit, active in found.values_list("history_id", "unit_id", "active")
    }
    changed = {
        pk
        for pk, unit, active, prior in rows
        if before.get(prior, (unit, active)) != (unit, active)
    }
    return sorted(changed)


@dataclass
class Timeline:
    """One person's (unit id, active) from each moment of their history on, oldest first."""

    since: list = field(default_factory=list)
    states: list = field(default_factory=list)
    created: bool = False  # the first row is the entry's creation: not on the roster before

    def at(self, moment: dt.datetime) -> tuple | None:
        """(unit id, active) at ``moment``; None: not on the roster yet (or deleted)."""
        n = bisect_right(self.since, moment)
        if n == 0:
            return None if self.created else self.states[0]
        return self.states[n - 1]


def timelines(ids: list[int]) -> dict[int, Timeline]:
    """The timelines of the people ``ids``, by staff id."""
    if not ids:
        return {}
    rows = (
        History.objects.filter(id__in=among(ids))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "history_type", "unit_id", "active")
    )
    found: dict[int, Timeline] = {}
    for pk, at, kind, unit_id, active in rows:
        line = found.get(pk)
        if line is None:
            line = found[pk] = Timeline(created=kind == "+")
        line.since.append(at)
        line.states.append(None if kind == "-" else (unit_id, active))
    return found


def audience_paths(bulletin) -> list[str] | None:
    """The paths of the units a bulletin is for (None: the whole province)."""
    return None if bulletin.whole_province else [u.path for u in bulletin.audience.all()]


def is_for(path: str, audience: list[str] | None) -> bool:
    """A unit of path ``path`` is in the audience (paths of units, None: everyone)."""
    return audience is None or any(path.startswith(p) for p in audience)


def unit_paths(lines: dict[int, Timeline]) -> dict[int, str]:
    """The paths of every unit the timelines name."""
    ids = {state[0] for line in lines.values() for state in line.states if state}
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "path"))


class Published:
    """Bulletins in the order they were published, with their audiences."""

    def __init__(self, bulletins):
        self.bulletins = sorted(bulletins, key=lambda b: b.published_at)
        self.times = [b.published_at for b in self.bulletins]
        self.audiences = [audience_paths(b) for b in self.bulletins]
        self.targeted = [n for n, audience in enumerate(self.audiences) if audience is not None]

    def before(self, moment: dt.datetime) -> int:
        """How many were published before ``moment``."""
        return bisect_left(self.times, moment)

    def not_owed(self, line: Timeline, paths: dict[int, str]) -> list[int]:
        """The positions of the bulletins the person of ``line`` was not on the roster of a unit
        of when each was published: not on it yet, gone, or in a unit it was not for. Those
        published after their last change found them as they are now: not looked at."""
        bounds = [self.before(moment) for moment in line.since]
        found = self._not_owed_in(None if line.created else line.states[0], 0, bounds[0], paths)
        for n in range(len(bounds) - 1):
            found += self._not_owed_in(line.states[n], bounds[n], bounds[n + 1], paths)
        return found

    def _not_owed_in(self, state, start: int, end: int, paths) -> list[int]:
        """Of the bulletins from ``start`` to ``end`` (excluded), those not owed in ``state``
        ((unit id, active), None: not on the roster)."""
        if start >= end:
            return []
        if state is None or not state[1] or state[0] is None:
            return list(range(start, end))
        path = paths.get(state[0], "")
        chosen = self.targeted[bisect_left(self.targeted, start) : bisect_left(self.targeted, end)]
        return [n for n in chosen if not is_for(path, self.audiences[n])]


def excused_movers(bulletins) -> dict[int, list[int]]:
    """For each of ``bulletins`` (by id), the ids of the people who moved, left or came back
    since it was published and were not, then, on the roster of a unit it was for (those
    created since are found by ``joined_after``). One look at the history for all of them."""
    if not bulletins:
        return {}
    published = Published(bulletins)
    lines = timelines(changed_after(published.times[0]))
    paths = unit_paths(lines) if lines else {}
    excused: dict[int, list[int]] = {b.pk: [] for b in bulletins}
    for pk, line in lines.items():
        for n in published.not_owed(line, paths):
            excused[published.bulletins[n].pk].append(pk)
    return excused
