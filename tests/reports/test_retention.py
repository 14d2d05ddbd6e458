"""Reporters' contacts are erased a retention period after their case is closed; open cases
and recent ones keep them, and the custody chain records the erasure and still holds."""

import datetime as dt

import pytest
from django.utils import timezone

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.reports import custody, handling, retention
from chinhthong.reports.models import Report, State
from tests.conftest import PASSWORD

from .helpers import report

pytestmark = pytest.mark.django_db


def test_contacts_go_after_the_retention_period_and_only_then(default_registry, settings):
    handler = accounts.create_user("xuly", PASSWORD, role=roles.REPORT_HANDLER)
    closed = report(contact_email="nguoibao@example.vn", contact_name="Nguyễn Văn A").case
    still_open = report(
        links=["https://youtube.com/watch?v=abc"],
        claim="Clip giả mạo bản tin thời sự tỉnh",
        contact_phone="0912345678",
    ).case
    handling.move(closed, State.REJECTED, actor=handler, note="Quảng cáo, không phải tin giả")
    later = timezone.now() + dt.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS - 1)
    assert retention.erase_due_contacts(later) == 0
    later += dt.timedelta(days=2)
    assert retention.erase_due_contacts(later) == 1
    gone = Report.objects.get(case=closed)
    assert (gone.contact_email, gone.contact_name, gone.contact_erased_at) == ("", "", later)
    assert gone.claim  # the record of the case stays
    assert Report.objects.get(case=still_open).contact_phone == "0912345678"
    assert custody.verify(closed) == []
    assert retention.erase_due_contacts(later) == 0  # once
