"""Scheduled work of the reach app.

Retention (docs/privacy.md): what staff did is personal data (Decree 13/2023/NĐ-CP), kept only
as long as its purpose needs — the dashboards' 90 days and a year of looking back, with a
margin — then deleted: events older than settings.REACH_RETENTION_DAYS, and deliveries that
reached a final status before then. A declaration that the app is installed, and a manager's
confirmation, describe the person now rather than a day's activity: the latest of each stays
while the person is on a roster, older ones go. Managers' weekly summaries go after the same
time; one-time Zalo link codes and log-in links a day after they expired (used or not).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django_tasks import task

from chinhthong.accounts.models import LoginLink
from chinhthong.delivery.models import FINAL, Delivery, ZaloLinkCode
from chinhthong.reach.models import EventKind, ReachEvent, WeeklySummary

STATES = (EventKind.APP_INSTALLED, EventKind.APP_CONFIRMED)


def prune_expired(*, days: int | None = None, now=None) -> dict[str, int]:
    """Delete what is older than ``days`` (settings.REACH_RETENTION_DAYS); the counts deleted."""
    days = days or settings.REACH_RETENTION_DAYS
    now = now or timezone.now()
    cutoff_day = timezone.localdate(now) - dt.timedelta(days=days)
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        old = ReachEvent.objects.filter(day__lt=cutoff_day)
        activity, _ = old.exclude(kind__in=STATES).delete()
        states, _ = (
            old.filter(kind__in=STATES)
            .exclude(pk__in=_latest_states(), staff__active=True)
            .delete()
        )
        deliveries, _ = Delivery.objects.filter(status__in=FINAL, created_at__lt=cutoff).delete()
        summaries, _ = WeeklySummary.objects.filter(week__lt=cutoff_day).delete()
        spent = now - dt.timedelta(days=1)
        zalo_codes, _ = ZaloLinkCode.objects.filter(expires_at__lt=spent).delete()
        login_links, _ = LoginLink.objects.filter(expires_at__lt=spent).delete()
    return {
        "events": activity + states,
        "deliveries": deliveries,
        "summaries": summaries,
        "codes": zalo_codes + login_links,
    }


def _latest_states():
    """The newest app declaration and confirmation of each person."""
    newest = ReachEvent.objects.filter(staff=OuterRef("staff"), kind=OuterRef("kind")).order_by(
        "-at", "-pk"
    )
    return ReachEvent.objects.filter(kind__in=STATES, pk=Subquery(newest.values("pk")[:1])).values(
        "pk"
    )


@task()
def prune_reach_records() -> dict[str, int]:
    return prune_expired()
