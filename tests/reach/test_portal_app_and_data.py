"""“Tôi đã cài …”: the day a staff member installed the official app, checked and shown; and the
page of everything recorded about them (their right to see it, Decree 13/2023/NĐ-CP)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from chinhthong.reach import events, links
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(default_registry):
    tree = make_tree()
    return {
        "tree": tree,
        "an": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "binh": make_staff(tree["HL-BC"], "Trần Thị Bình"),
        "bulletin": publish_bulletin("Cảnh báo lừa đảo"),
    }


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _declared(staff):
    return ReachEvent.objects.filter(staff=staff, kind=EventKind.APP_INSTALLED)


def test_the_app_page_names_the_registrys_app_and_takes_todays_date(world):
    client = _client(world["an"])
    page = client.get("/cong-chuc/ung-dung/").content.decode()
    assert "Tôi đã cài Smart Quảng Ninh" in page
    assert f'max="{timezone.localdate().isoformat()}"' in page
    assert f'value="{timezone.localdate().isoformat()}"' in page  # today, ready to send
    answer = client.post("/cong-chuc/ung-dung/", {"on": timezone.localdate().isoformat()})
    assert answer.status_code == 302 and answer["Location"] == "/cong-chuc/ung-dung/"
    assert list(_declared(world["an"]).values_list("day", flat=True)) == [timezone.localdate()]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert (
        f"Bạn đã cài ứng dụng ngày {today}." in client.get("/cong-chuc/ung-dung/").content.decode()
    )
    assert f"Bạn đã cài ứng dụng ngày {today}." in client.get("/cong-chuc/").content.decode()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "ở tương lai"),
        ({"on": "1900-01-01"}, "trước năm 2015"),
        ({"on": "31/02/2026"}, "Hãy nhập ngày"),
        ({"on": "ngày mai"}, "Hãy nhập ngày"),
        ({"on": "9" * 300}, "Hãy nhập ngày"),
        ({}, "Hãy nhập ngày bạn cài ứng dụng"),
    ],
)
def test_a_day_still_to_come_or_a_slip_of_the_year_is_refused(world, sent, message):
    answer = _client(world["an"]).post("/cong-chuc/ung-dung/", sent)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not _declared(world["an"]).exists()


def test_a_day_before_the_roster_entry_is_accepted(world):
    """Many installed the app before their unit's roster was imported."""
    before = dt.date(2021, 3, 15)
    answer = _client(world["an"]).post("/cong-chuc/ung-dung/", {"on": before.isoformat()})
    assert answer.status_code == 302
    assert list(_declared(world["an"]).values_list("day", flat=True)) == [before]


def test_the_rule_is_the_services_for_every_edge(world):
    from chinhthong.config.refusals import Refused

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(Refused) as refused:
        events.declare_app_installed(world["an"], on=tomorrow)
    assert refused.value.code == "future_date"
    # The day after, that day is no longer to come.
    later = timezone.now() + dt.timedelta(days=1)
    assert events.declare_app_installed(world["an"], on=tomorrow, at=later) is not None


def test_a_new_declaration_replaces_the_last(world):
    an = world["an"]
    today = timezone.localdate()
    events.declare_app_installed(an, on=today)
    later = timezone.now() + dt.timedelta(days=3)
    events.declare_app_installed(an, on=today + dt.timedelta(days=2), at=later)
    assert events.app_installed_on(an) == today + dt.timedelta(days=2)


def test_my_data_shows_what_is_recorded_about_me_and_no_one_else(world):
    an, binh, bulletin = world["an"], world["binh"], world["bulletin"]
    Client().get(links.personal_path(an, bulletin))
    events.record_share(an, bulletin, via=Via.ZALO)
    events.record_share_visit(an.share_code, bulletin, visitor="203.0.113.1")
    events.declare_app_installed(an, on=timezone.localdate())
    events.record_read(binh, bulletin, via=Via.BUTTON)
    client = _client(an)
    client.get("/cong-chuc/")
    page = client.get("/cong-chuc/du-lieu-cua-toi/")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in (
        "Nguyễn Văn An",
        "Phường Cẩm Tây",
        an.email,
        an.share_code,
        "Đường link riêng",  # how the read came
        "Đã chia sẻ",
        "Lượt truy cập nhờ chia sẻ",
        "Mở cổng cán bộ",
        "Khai báo đã cài ứng dụng",
        "Cảnh báo lừa đảo (phiên bản 1)",
        "xóa sau 400 ngày",
    ):
        assert shown in html, shown
    assert "Trần Thị Bình" not in html and binh.email not in html
    rows = re.findall(r"<tr><td>", html)
    assert len(rows) == 5  # read, shared, visit, app declared, today's access


def test_my_data_pages_through_many_events(world):
    an = world["an"]
    start = timezone.now() - dt.timedelta(days=120)
    for n in range(60):
        events.record_access(an, at=start + dt.timedelta(days=n))
    client = _client(an)
    first = client.get("/cong-chuc/du-lieu-cua-toi/").content.decode()
    assert "Trang 1 / 2" in first
    second = client.get("/cong-chuc/du-lieu-cua-toi/?trang=2").content.decode()
    assert "Trang 2 / 2" in second
    for junk in ("abc", "-1", "99999999999999999999", "1e9"):
        assert client.get(f"/cong-chuc/du-lieu-cua-toi/?trang={junk}").status_code == 200


def test_a_manager_on_no_roster_has_no_data_page(world):
    boss = make_manager(world["tree"]["CP"], "quanly-cp")
    client = Client()
    client.force_login(boss)
    assert client.get("/cong-chuc/du-lieu-cua-toi/").status_code == 404
    assert client.get("/cong-chuc/ung-dung/").status_code == 404
    assert client.post("/cong-chuc/ung-dung/", {"on": "2026-01-01"}).status_code == 404
    assert not ReachEvent.objects.filter(kind=EventKind.APP_INSTALLED).exists()


def test_my_data_says_whether_the_daily_digest_comes(world):
    from chinhthong.delivery import services as delivery

    an = world["an"]
    client = _client(an)
    assert "đang nhận" in client.get("/cong-chuc/du-lieu-cua-toi/").content.decode()
    delivery.unsubscribe(an)
    html = client.get("/cong-chuc/du-lieu-cua-toi/").content.decode()
    assert "Thư tổng hợp hằng ngày" in html and "đã tắt lúc" in html
