"""Each unit manager's weekly summary: once a week, on CHINHTHONG_WEEKLY_SUMMARY_DAY at
CHINHTHONG_WEEKLY_SUMMARY_TIME (Asia/Ho_Chi_Minh), one email to the manager's address covering
the units they manage (each subtree once): the dashboard's figures of the seven days before
(reach/dashboards.py) and how many staff lag (reach/laggards.py), with a link to the dashboard —
never their names, which stay behind the login.

Managers need not be on a roster, so a summary is not a Delivery row (those belong to staff
members): a WeeklySummary row per manager and week is made and committed before the email is
handed to the email transport — the same one that sends bulletins — so a manager gets one a
week however often the scheduler asks; a temporary failure is tried again on the next run
(CHINHTHONG_DELIVERY_MAX_ATTEMPTS in all), and a worker killed while sending leaves the row
"sending", never sent twice.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chinhthong.delivery import reminder_messages
from chinhthong.delivery.models import Channel
from chinhthong.delivery.transports import transport_for
from chinhthong.delivery.transports.base import TransportError
from chinhthong.reach import dashboards
from chinhthong.reach.models import Unit, WeeklySummary

DAYS = 7
# A summary not sent within this long after its time is not sent late.
LATE = dt.timedelta(days=1)


@dataclass
class UnitSummary:
    unit: Unit
    figures: dashboards.Figures  # figures.lagging: how many lag (reach/laggards.py)
    link: str


@dataclass
class Recipient:
    """What the email transport needs of a recipient."""

    name: str
    email: str


def moment(day: dt.date) -> dt.datetime:
    clock = dt.time.fromisoformat(settings.WEEKLY_SUMMARY_TIME)
    return timezone.make_aware(dt.datetime.combine(day, clock))


def due_week(now: dt.datetime | None = None) -> dt.date:
    """The latest summary day whose time has passed at ``now``."""
    local = timezone.localtime(now or timezone.now())
    back = (local.isoweekday() - settings.WEEKLY_SUMMARY_DAY) % 7
    day = local.date() - dt.timedelta(days=back)
    return day if local >= moment(day) else day - dt.timedelta(days=7)


def period(week: dt.date) -> tuple[dt.date, dt.date]:
    """The seven days a summary sent on ``week`` covers: the ones before it."""
    return week - dt.timedelta(days=DAYS), week - dt.timedelta(days=1)


def managers():
    """Active users with an email address who manage an open unit."""
    return (
        get_user_model()
        .objects.filter(is_active=True, managed_units__active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def top_units(user) -> list[Unit]:
    """The open units ``user`` manages, each subtree once."""
    tops: list[Unit] = []
    for unit in Unit.objects.filter(managers=user, active=True).order_by("path"):
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def summary_for(user, week: dt.date) -> list[UnitSummary]:
    """The figures of each subtree ``user`` manages over the week before ``week``."""
    end = dashboards.start_of(week) - dt.timedelta(microseconds=1)
    found = []
    for unit in top_units(user):
        board = dashboards.dashboard(unit, days=DAYS, now=end)
        found.append(UnitSummary(unit, board.total, reminder_messages.dashboard_link(unit)))
    return found


def _shown(week: dt.date) -> str:
    first, last = period(week)
    return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"


def send_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the due week's summary to every manager who has not had it (within a day of its
    time): counts of sent and failed (and skipped: nothing to report)."""
    now = now or timezone.now()
    week = due_week(now)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if now - moment(week) > LATE:  # a week the scheduler missed (or before installation)
        return counts
    retry = WeeklySummary.objects.filter(
        week=week,
        state=WeeklySummary.State.FAILED,
        attempts__lt=settings.DELIVERY_MAX_ATTEMPTS,
    )
    claimed = []
    for row in retry:
        taken = WeeklySummary.objects.filter(pk=row.pk, state=WeeklySummary.State.FAILED).update(
            state=WeeklySummary.State.SENDING, attempts=F("attempts") + 1
        )
        if taken:
            row.refresh_from_db()
            claimed.append(row)
    done = WeeklySummary.objects.filter(week=week).values("user_id")
    for user in managers().exclude(pk__in=done):
        try:
            with transaction.atomic():
                claimed.append(WeeklySummary.objects.create(user=user, week=week))
        except IntegrityError:  # another run took this manager
            continue
    if not claimed:
        return counts
    transport, done = transport_for(Channel.EMAIL), 0
    try:
        with transport.batch():
            for row in claimed:
                counts[_send_one(transport, row, week)] += 1
                done += 1
    except TransportError as error:  # the mail server does not answer: the next run tries again
        for row in claimed[done:]:
            counts[_failed(row, error)] += 1
    return counts


def _send_one(transport, row: WeeklySummary, week: dt.date) -> str:
    user = row.user
    units = summary_for(user, week)
    now = timezone.now()
    if not units:  # no longer manages an open unit
        row.state, row.reason, row.sent_at = WeeklySummary.State.SENT, "no units", None
        row.save(update_fields=["state", "reason", "sent_at"])
        return "skipped"
    name = user.get_full_name() or user.username
    message = reminder_messages.summary_message(name, _shown(week), units)
    try:
        transport.send(message, Recipient(name, user.email), handover=lambda: True)
    except TransportError as error:
        return _failed(row, error)
    row.state, row.reason, row.sent_at = WeeklySummary.State.SENT, "", now
    row.save(update_fields=["state", "reason", "sent_at"])
    return "sent"


def _failed(row: WeeklySummary, error: TransportError) -> str:
    row.state = WeeklySummary.State.FAILED
    row.reason = str(error.reason)[:2000]
    if error.permanent:  # never tried again
        row.attempts = max(row.attempts, settings.DELIVERY_MAX_ATTEMPTS)
    row.save(update_fields=["state", "reason", "attempts"])
    return "failed"
