"""Figures for the handlers' dashboard and its exports: cases by state, verdict, platform and
week of arrival, how long decisions take, and the cases as rows (no reporter's data)."""

import datetime as dt
import statistics as stats
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.reports import labels
from chinhthong.reports.models import AWAITING_DECISION, Case, Report, State, Verdict

WEEKS = 12


@dataclass
class Figures:
    total: int
    by_state: list[tuple[str, int]]
    by_verdict: list[tuple[str, int]]
    by_platform: list[tuple[str, int]]
    by_week: list[tuple[dt.date, int]]  # reports received, Monday of each week (local time)
    median_hours_to_decision: float | None
    decided: int
    overdue: int


def figures(now: dt.datetime | None = None) -> Figures:
    now = now or timezone.now()
    states = dict(Case.objects.values_list("state").annotate(n=Count("pk")))
    verdicts = dict(Case.objects.exclude(verdict="").values_list("verdict").annotate(n=Count("pk")))
    platforms = dict(Case.objects.values_list("platform").annotate(n=Count("pk")))
    return Figures(
        total=sum(states.values()),
        by_state=[(str(s.label), states.get(s.value, 0)) for s in State],
        by_verdict=[(str(v.label), verdicts.get(v.value, 0)) for v in Verdict],
        by_platform=sorted(
            ((labels.platform(p) if p else _("No link"), n) for p, n in platforms.items()),
            key=lambda item: -item[1],
        ),
        by_week=_weeks(now),
        median_hours_to_decision=_median_hours(),
        decided=sum(verdicts.values()),
        overdue=Case.objects.filter(state__in=AWAITING_DECISION, due_at__lt=now).count(),
    )


def _weeks(now: dt.datetime) -> list[tuple[dt.date, int]]:
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    counted = dict(
        Report.objects.filter(received_at__gte=start)
        .annotate(week=TruncWeek("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("week")
        .annotate(n=Count("pk"))
    )
    by_day = {
        (week.date() if isinstance(week, dt.datetime) else week): n for week, n in counted.items()
    }
    return [
        (first + dt.timedelta(weeks=i), by_day.get(first + dt.timedelta(weeks=i), 0))
        for i in range(WEEKS)
    ]


def _median_hours() -> float | None:
    spans = [
        (decided - created).total_seconds() / 3600
        for created, decided in Case.objects.exclude(decided_at=None).values_list(
            "created_at", "decided_at"
        )
    ]
    return round(stats.median(spans), 1) if spans else None


def case_headers() -> list[str]:
    return [
        _("Case"),
        _("Claim"),
        _("State"),
        _("Verdict"),
        _("Priority"),
        _("Platform"),
        _("Reports"),
        _("Received on"),
        _("Due"),
        _("Decided on"),
        _("Hours to decision"),
    ]


def case_rows():
    local = timezone.localtime
    cases = Case.objects.annotate(n=Count("reports")).order_by("created_at")
    for case in cases.iterator(chunk_size=2000):
        hours = (
            round((case.decided_at - case.created_at).total_seconds() / 3600, 1)
            if case.decided_at
            else ""
        )
        yield [
            case.number,
            case.title,
            case.get_state_display(),
            case.get_verdict_display() if case.verdict else "",
            case.get_priority_display(),
            labels.platform(case.platform),
            case.n,
            local(case.created_at).strftime("%d/%m/%Y %H:%M"),
            local(case.due_at).strftime("%d/%m/%Y %H:%M") if case.due_at else "",
            local(case.decided_at).strftime("%d/%m/%Y %H:%M") if case.decided_at else "",
            hours,
        ]
