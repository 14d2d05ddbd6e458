"""Reach as events (reach/events.py): once where a thing happens once, days in Vietnam's time,
the unit at the time, and visits counted without anything about the visitor."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chinhthong.bulletins import services as bulletins
from chinhthong.reach import events, organisation, queries
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def tree():
    return make_tree()


def test_a_version_is_read_once_whatever_the_channel(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    assert events.record_read(an, bulletin, via=Via.PERSONAL_LINK) is not None
    assert events.record_read(an, bulletin, via=Via.BUTTON) is None
    assert events.record_read(an, bulletin, via=Via.PORTAL) is None
    assert ReachEvent.objects.filter(kind=EventKind.READ).count() == 1
    assert events.has_read(an, bulletin)


def test_a_significant_correction_asks_again_and_a_minor_one_does_not(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    events.record_read(an, bulletin)
    draft = bulletins.Draft(title="Cảnh báo", body_markdown="Nội dung mới.")
    bulletins.correct(bulletin, draft, actor=None, significant=False)
    bulletin.refresh_from_db()
    assert events.has_read(an, bulletin)
    bulletins.correct(bulletin, draft, actor=None, significant=True)
    bulletin.refresh_from_db()
    assert not events.has_read(an, bulletin)
    assert [b.pk for b in queries.unread_for(an)] == [bulletin.pk]
    assert events.record_read(an, bulletin).version == 3
    assert events.has_read(an, bulletin)
    assert queries.unread_for(an) == []


def test_the_day_of_access_is_vietnams_day(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    # 23:30 and 00:30 in Hà Nội are two days; 16:00 and 17:30 UTC too.
    late = dt.datetime(2026, 12, 4, 23, 30, tzinfo=HANOI)
    early = dt.datetime(2026, 12, 5, 0, 30, tzinfo=HANOI)
    same_day = dt.datetime(2026, 12, 5, 22, 0, tzinfo=HANOI)
    assert events.record_access(an, at=late).day == dt.date(2026, 12, 4)
    assert events.record_access(an, at=early).day == dt.date(2026, 12, 5)
    assert events.record_access(an, at=same_day) is None
    utc = dt.UTC
    assert events.local_day(dt.datetime(2026, 12, 5, 16, 0, tzinfo=utc)) == dt.date(2026, 12, 5)
    assert events.local_day(dt.datetime(2026, 12, 5, 17, 30, tzinfo=utc)) == dt.date(2026, 12, 6)
    assert ReachEvent.objects.filter(kind=EventKind.ACCESS).count() == 2


def test_an_event_keeps_the_unit_at_the_time(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    events.record_share(an, bulletin, via=Via.FACEBOOK)
    an.unit = tree["HL-BC"]
    organisation.save_staff(an, reason="Chuyển công tác")
    events.record_share(an, bulletin, via=Via.ZALO)
    units = ReachEvent.objects.filter(kind=EventKind.SHARED).order_by("pk")
    assert [e.unit.code for e in units] == ["CP-CT", "HL-BC"]


def test_a_share_counts_once_per_channel_and_day(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    for via in (Via.FACEBOOK, Via.FACEBOOK, Via.COPY_LINK):
        events.record_share(an, bulletin, via=via)
    assert events.record_share(an, bulletin, via=Via.FACEBOOK) is None
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert events.record_share(an, bulletin, via=Via.FACEBOOK, at=tomorrow) is not None
    assert ReachEvent.objects.filter(kind=EventKind.SHARED).count() == 3


def test_a_visit_brought_by_a_share_names_only_the_sharer(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    visit = events.record_share_visit(an.share_code, bulletin, visitor="203.0.113.7")
    assert (visit.staff, visit.bulletin, visit.kind, visit.via) == (
        an,
        bulletin,
        EventKind.SHARE_VISIT,
        "",
    )
    stored = {f.name for f in ReachEvent._meta.get_fields()}
    assert not stored & {"ip", "address", "user_agent", "referrer", "visitor"}
    assert events.record_share_visit("khong-co-ma-nay", bulletin, visitor="203.0.113.8") is None
    assert events.record_share_visit("", bulletin, visitor="203.0.113.8") is None
    assert ReachEvent.objects.filter(kind=EventKind.SHARE_VISIT).count() == 1


def test_the_app_installed_declaration_and_its_confirmation(tree):
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    assert events.app_installed_on(an) is None
    today = timezone.localdate()
    declared = events.declare_app_installed(an, on=today)
    assert (declared.kind, declared.day) == (EventKind.APP_INSTALLED, today)
    assert events.app_installed_on(an) == today
    confirmed = events.confirm_app_installed(an, manager=None)
    assert (confirmed.kind, confirmed.via) == (EventKind.APP_CONFIRMED, Via.MANAGER)
    activity = queries.activity_of(an)
    assert activity.app_declared_on == today and activity.app_confirmed_at is not None
