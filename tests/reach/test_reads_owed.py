"""Reads are owed only by people who were on the roster of a unit a bulletin was for when it
was published: someone imported, moved in or back since sees it on their portal but does not
owe it ("Đọc trong 24 giờ", who lags, reminders). Deliveries count under the unit the person
was in when each was delivered, not the unit they moved to later that day."""

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from chinhthong.reach import dashboards, events, laggards, organisation, reminders, tallies
from chinhthong.reach.staff_import import import_staff
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _publish(capture, title: str, **options):
    """Published, with its fan-out (the portal's deliveries) run as after the commit."""
    with capture(execute=True):
        bulletin = publish_bulletin(title, **options)
    bulletin.refresh_from_db()
    return bulletin


def _move(staff, unit) -> None:
    staff.unit = unit
    organisation.save_staff(staff, reason="Chuyển công tác")


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    binh = make_staff(tree["CP-CT"], "Trần Thị Bình")
    chi = make_staff(tree["HL-BC"], "Lê Thị Chi")
    dung = make_staff(tree["CP-CT"], "Phạm Văn Dũng")
    organisation.deactivate_staff(dung)  # away when the first two came out
    everyone = _publish(capture, "Khẩn: cảnh báo lừa đảo toàn tỉnh", urgent=True)
    city = _publish(capture, "Khẩn: cắt điện Cẩm Phả", urgent=True, units=[tree["CP"]])
    # Since then: Lan is imported, Chi moves from Hạ Long to Cẩm Phả, Dũng comes back.
    import_staff(
        "name,unit,category,email\nLê Thị Lan,CP-CT,CC,lan@quangninh.gov.vn\n".encode(),
        "bo-sung.csv",
    )
    lan = organisation.staff_by_email("lan@quangninh.gov.vn")
    _move(chi, tree["CP-CT"])
    organisation.reactivate_staff(dung)
    later = _publish(capture, "Lịch tiếp dân tuần tới")
    # Everyone opened the portal and declared the app: only unread urgent bulletins lag.
    for person in (an, binh, chi, dung, lan):
        events.record_access(person)
        events.declare_app_installed(person, on=timezone.localdate())
    for bulletin in (everyone, city, later):
        events.record_read(an, bulletin)
    manager = Client()
    manager.force_login(make_manager(tree["CP"], "quanly-cp"))
    return {
        "tree": tree,
        "an": an,
        "binh": binh,
        "chi": chi,
        "dung": dung,
        "lan": lan,
        "everyone": everyone,
        "city": city,
        "later": later,
        "manager": manager,
    }


def _api(client, code: str, **query) -> dict:
    answer = client.get(f"/api/v1/reach/units/{code}", query)
    assert answer.status_code == 200
    return json.loads(answer.content)


def test_reads_are_owed_only_by_those_on_the_roster_when_it_came_out(world):
    total = _api(world["manager"], "CP")["total"]
    assert total["staff"] == 5
    # The province's: An, Bình, and Chi (in Hạ Long then); Cẩm Phả's: An, Bình; the last one:
    # all five. Not Lan (imported since), nor Dũng (away then), nor Chi for Cẩm Phả's.
    assert total["reads_owed"] == 3 + 2 + 5
    assert total["read_within_24h"] == 3
    assert total["read_within_24h_share"] == pytest.approx(3 / 10)
    one = _api(world["manager"], "CP", bulletin=world["city"].slug)["total"]
    assert (one["reads_owed"], one["read_within_24h"]) == (2, 1)


def test_newcomers_do_not_lag_for_what_came_out_before_them(world):
    manager = world["manager"]
    assert _api(manager, "CP")["lagging"] == 2  # Bình (two unread) and Chi (one)
    page = manager.get("/cong-chuc/don-vi/CP/").content.decode()
    section = page.split('id="can-bo-cham"')[1].split('id="cho-xac-nhan"')[0]
    assert "Trần Thị Bình" in section and "Lê Thị Chi" in section
    assert "Lê Thị Lan" not in section and "Phạm Văn Dũng" not in section
    assert "2 bản tin khẩn chưa đọc" in section and "1 bản tin khẩn chưa đọc" in section
    body = manager.get("/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv").content.decode()
    rows = {row[0]: row for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))}
    assert set(rows) - {"Họ và tên"} == {"Trần Thị Bình", "Lê Thị Chi"}
    assert (rows["Trần Thị Bình"][4], rows["Lê Thị Chi"][4]) == ("2", "1")
    # The same from the tallies.
    now = timezone.now()
    tallies.make_tallies(now=now)
    assert dashboards.dashboard(world["tree"]["CP"], now=now).total.lagging == 2


def test_newcomers_still_see_the_earlier_bulletins_on_their_portal(world):
    lan = Client()
    lan.force_login(world["lan"].user)
    page = lan.get("/cong-chuc/chua-doc/").content.decode()
    for bulletin in ("everyone", "city", "later"):
        assert world[bulletin].latest_version.title in page


def test_reminders_go_to_those_it_was_sent_to(world, settings):
    settings.REMINDER_AFTER_HOURS = 4
    for bulletin, expected in (
        ("everyone", {"Trần Thị Bình", "Lê Thị Chi"}),
        ("city", {"Trần Thị Bình"}),
    ):
        found = world[bulletin]
        key = reminders.reminder_key(found, 1, 1)
        names = set(reminders.to_remind(found, key).values_list("name", flat=True))
        assert names == expected, bulletin


def test_rules_for_a_few_and_for_many_agree(world):
    tree, now = world["tree"], timezone.now()
    rules = laggards.Rules.at(30, now)
    listed = list(laggards.all_laggards(tree["CP"], rules=rules))
    few = laggards.first_laggards(tree["CP"], rules=rules, limit=10, units=[tree["CP-CT"].pk])
    assert [(one.staff.name, one.urgent_unread) for one in listed] == [
        (one.staff.name, one.urgent_unread) for one in few
    ]
    assert {one.staff.name: one.urgent_unread for one in listed} == {
        "Trần Thị Bình": 2,
        "Lê Thị Chi": 1,
    }


def test_someone_who_moved_away_and_back_owes_what_came_out_while_they_were_there(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    tree = make_tree()
    em = make_staff(tree["CP-CT"], "Vũ Thị Em")
    _publish(capture, "Khẩn: Cẩm Phả 1", urgent=True, units=[tree["CP"]])  # Em is there
    _move(em, tree["HL-BC"])
    _publish(capture, "Khẩn: Cẩm Phả 2", urgent=True, units=[tree["CP"]])  # Em is in Hạ Long
    _publish(capture, "Khẩn: toàn tỉnh", urgent=True)  # Em is in Hạ Long, and it is for all
    _move(em, tree["CP-CT"])
    board = dashboards.dashboard(tree["CP"], days=7)
    assert board.total.expected_reads == 2  # the first and the province's, not the second
    rules = laggards.Rules.at(7)
    (one,) = laggards.all_laggards(tree["CP"], rules=rules)
    assert (one.staff.name, one.urgent_unread) == ("Vũ Thị Em", 2)
    assert board.total.lagging == 1


# --- deliveries under the unit at the time -----------------------------------------------------
def _portal(figures: dict, code: str) -> int:
    return next(r for r in figures["rows"] if r["code"] == code)["figures"]["delivered"]["portal"]


def test_a_delivery_counts_under_the_unit_of_the_moment_it_was_delivered(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    tree = make_tree()
    make_staff(tree["CP-CT"], "Nguyễn Văn An")
    em = make_staff(tree["HL-BC"], "Vũ Thị Em")
    _publish(capture, "Cảnh báo toàn tỉnh")  # delivered to Em in Hạ Long
    _move(em, tree["CP-CT"])  # a minute later, to Cẩm Phả
    manager = Client()
    manager.force_login(make_manager(tree["QN"], "quanly-qn"))
    figures = _api(manager, "QN", days=7)
    assert (_portal(figures, "CP"), _portal(figures, "HL")) == (1, 1)
    assert figures["total"]["delivered"]["portal"] == 2
    _publish(capture, "Lịch tiếp dân")  # delivered to Em in Cẩm Phả
    figures = _api(manager, "QN", days=7)
    assert (_portal(figures, "CP"), _portal(figures, "HL")) == (3, 1)
    # The same once the day is tallied.
    tomorrow = timezone.now() + DAY
    tallies.make_tallies(now=tomorrow)
    board = dashboards.dashboard(tree["QN"], days=7, now=tomorrow)
    assert board.tallied_until == board.today
    rows = {row.unit.code: row.figures.delivered["portal"] for row in board.rows}
    assert (rows["CP"], rows["HL"]) == (3, 1)
