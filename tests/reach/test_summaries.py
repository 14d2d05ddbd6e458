"""Each unit manager's weekly summary, to a real SMTP server on loopback: once a week, the
subtree's figures of the seven days before and how many staff lag — never their names."""

# ruff: noqa: F811  (the delivery tests' SMTP fixtures, imported: pytest finds them by name)
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from chinhthong.reach import events, organisation, summaries
from chinhthong.reach.models import Via, WeeklySummary
from tests.delivery.conftest import _one_sending_thread, committed, mail  # noqa: F401
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


def next_summary_day() -> dt.date:
    """The next summary day after today: the week it covers includes today."""
    today = timezone.localdate()
    ahead = (settings.WEEKLY_SUMMARY_DAY - today.isoweekday()) % 7 or 7
    return today + dt.timedelta(days=ahead)


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def world(mail, committed):
    tree = make_tree()
    tay = make_staff(tree["CP-CT"], "Nguyễn Văn Tây")
    make_staff(tree["CP-CP"], "Trần Thị Phú")
    make_staff(tree["HL-BC"], "Phạm Bãi Cháy")
    city = with_email(make_manager(tree["CP"], "quanly-cp"), "quanly.cp@quangninh.gov.vn")
    # A manager of the city and of one of its wards: the city's subtree, once.
    deputy = make_manager(tree["CP"], "pho-cp")
    organisation.add_manager(tree["CP-CT"], deputy)
    with_email(deputy, "pho.cp@quangninh.gov.vn")
    make_manager(tree["HL"], "khong-thu")  # no email address: nothing can be sent
    with committed():
        bulletin = publish_bulletin("Cảnh báo lừa đảo", urgent=True)
    week = next_summary_day()
    events.record_read(tay, bulletin, via=Via.PORTAL)
    events.record_access(tay, at=summaries.moment(week) - dt.timedelta(days=1))
    events.declare_app_installed(tay, on=timezone.localdate())
    mail.clear()
    return tree, city, week


def test_one_summary_per_manager_a_week_with_the_figures_and_no_names(world, mail):
    _tree, _city, week = world
    due = summaries.moment(week) + dt.timedelta(minutes=1)
    assert summaries.send_due(now=due - dt.timedelta(minutes=2)) == {
        "sent": 0,
        "failed": 0,
        "skipped": 0,
    }  # not yet (and last week's is too late to send now)
    assert mail.received == []

    assert summaries.send_due(now=due)["sent"] == 2
    received = mail.wait_for(2)
    assert sorted(r.recipients[0] for r in received) == [
        "pho.cp@quangninh.gov.vn",
        "quanly.cp@quangninh.gov.vn",
    ]
    first, last = week - dt.timedelta(days=7), week - dt.timedelta(days=1)
    shown = f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    for message in received:
        assert message.message["Subject"].strip() == (
            f"Tổng hợp tuần về tiếp cận thông tin của cán bộ, {shown}"
        )
        text = message.text()
        assert text.count("Thành phố Cẩm Phả") == 1  # the city's subtree, once
        assert "Số cán bộ: 2" in text
        assert "Lượt đọc bản tin trong 24 giờ: 1/2 (50%)" in text
        assert "Đã cài ứng dụng chính thức (tự khai): 1/2" in text
        assert "Số cán bộ chưa đạt: 1" in text  # Phú: not read, portal not opened, no app
        assert "https://congchuc.example.vn/cong-chuc/don-vi/CP/?days=7" in text
        for name in ("Trần Thị Phú", "Nguyễn Văn Tây", "Phạm Bãi Cháy"):
            assert name not in text and name not in message.html()

    # Asked again in the same week, on the next days: nothing more.
    assert summaries.send_due(now=due + dt.timedelta(hours=2))["sent"] == 0
    assert len(mail.received) == 2
    assert WeeklySummary.objects.filter(week=week, state="sent").count() == 2

    # The next week: one each again.
    assert summaries.send_due(now=due + dt.timedelta(days=7))["sent"] == 2
    assert len(mail.wait_for(4)) == 4


def test_a_summary_the_server_refused_for_a_while_is_sent_on_the_next_run(world, mail):
    _tree, _city, week = world
    mail.refuse("quanly.cp@quangninh.gov.vn", "451 4.3.0 Try later", times=1)
    due = summaries.moment(week) + dt.timedelta(minutes=1)
    assert summaries.send_due(now=due) == {"sent": 1, "failed": 1, "skipped": 0}
    assert summaries.send_due(now=due + dt.timedelta(minutes=5))["sent"] == 1
    assert sorted(r.recipients[0] for r in mail.wait_for(2)) == [
        "pho.cp@quangninh.gov.vn",
        "quanly.cp@quangninh.gov.vn",
    ]
    assert summaries.send_due(now=due + dt.timedelta(minutes=10))["sent"] == 0
