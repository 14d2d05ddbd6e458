"""Reporters' identities are kept only as long as their case needs them (Decree 13/2023/NĐ-CP
on personal data; docs/privacy.md): a retention period after a case is closed or found not
actionable, each report's name, email, phone and account link are erased. The report, its
claim and its evidence stay: they are the case's record, and none of them is the contact."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chinhthong.reports import custody
from chinhthong.reports.models import Case, Report, State


def erase_due_contacts(now: dt.datetime | None = None) -> int:
    """Erase the contacts of reports on cases closed more than the retention period ago; the
    number of reports erased. Each case's erasure is one entry in its custody log."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    cases = Case.objects.filter(
        state__in=(State.CLOSED, State.REJECTED),
        closed_at__lt=before,
        reports__contact_erased_at=None,
    ).distinct()
    erased = 0
    for case in cases.iterator():
        erased += _erase(case, now)
    return erased


@transaction.atomic
def _erase(case: Case, now: dt.datetime) -> int:
    reports = Report.objects.filter(case=case, contact_erased_at=None)
    codes = list(reports.values_list("tracking_code", flat=True))
    count = reports.update(
        contact_name="",
        contact_email="",
        contact_phone="",
        reporter=None,
        contact_erased_at=now,
    )
    if count:
        custody.append(case, "contacts_erased", {"reports": codes}, actor="system")
    return count


@task()
def erase_contacts() -> int:
    """Run daily by the scheduler (config/schedule.py)."""
    return erase_due_contacts()
