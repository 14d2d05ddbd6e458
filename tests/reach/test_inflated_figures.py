"""The figures a manager reads cannot be inflated from outside or by pressing a button again:
a visit brought by a share counts once per visitor, share code, bulletin and day (and nothing
about the visitor is stored); a share counts once per person, bulletin, channel and day; an
installation is confirmed only once it is declared, never by the person themself, and the
confirming manager is recorded and shown."""

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from chinhthong.reach import dashboards, events, links
from chinhthong.reach.models import EventKind, ReachEvent
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.25"
OTHER = "198.51.100.7"
DAY = dt.timedelta(days=1)


@pytest.fixture
def world():
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    binh = make_staff(tree["CP-CP"], "Trần Thị Bình")
    bulletin = publish_bulletin("Cảnh báo lừa đảo qua đường link giả")
    manager = Client()
    manager.force_login(make_manager(tree["CP"], "quanly-cp"))
    return {"tree": tree, "an": an, "binh": binh, "bulletin": bulletin, "manager": manager}


def _figures(client, code: str = "CP") -> dict:
    answer = client.get(f"/api/v1/reach/units/{code}?days=7")
    assert answer.status_code == 200
    return json.loads(answer.content)["total"]


def _visit(slug: str, code: str, address: str):
    return Client(REMOTE_ADDR=address).get(f"/ban-tin/{slug}/", {"s": code})


def _page(client, code: str = "CP") -> str:
    return client.get(f"/cong-chuc/don-vi/{code}/").content.decode()


# --- 1. visits brought by a share -------------------------------------------------------------
def test_a_visitor_coming_again_through_a_share_link_is_one_visit_a_day(world):
    an, bulletin = world["an"], world["bulletin"]
    for _ in range(25):
        answer = _visit(bulletin.slug, an.share_code, VISITOR)
        assert answer.status_code == 302 and answer["Location"] == f"/ban-tin/{bulletin.slug}/"
    assert _figures(world["manager"])["share_visits"] == 1
    # Someone else, through the same link: a second visit.
    _visit(bulletin.slug, an.share_code, OTHER)
    assert _figures(world["manager"])["share_visits"] == 2
    # The same visitor through Bình's share, or to another bulletin through An's: new visits.
    _visit(bulletin.slug, world["binh"].share_code, VISITOR)
    other = publish_bulletin("Lịch tiêm chủng")
    _visit(other.slug, an.share_code, VISITOR)
    assert _figures(world["manager"])["share_visits"] == 4
    # The next day they count again.
    tomorrow = timezone.now() + DAY
    assert events.record_share_visit(an.share_code, bulletin, visitor=VISITOR, at=tomorrow)
    board = dashboards.dashboard(world["tree"]["CP"], days=7, now=tomorrow)
    assert board.total.visits == 5


def test_nothing_about_the_visitor_is_stored(world):
    an, bulletin = world["an"], world["bulletin"]
    _visit(bulletin.slug, an.share_code, VISITOR)
    visit = ReachEvent.objects.get(kind=EventKind.SHARE_VISIT)
    assert (visit.staff, visit.bulletin, visit.via) == (an, bulletin, "")
    assert VISITOR not in str(ReachEvent.objects.filter(pk=visit.pk).values().get())
    # The cache (the database's own table without Redis) holds a keyed hash that expires when
    # the day does, not the address (the rate limiter's counters are another matter).
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value, expires FROM chinhthong_cache")
        marks = [row for row in cursor.fetchall() if ":reach:visit:" in row[0]]
    assert len(marks) == 1
    assert VISITOR not in str(marks[0][:2])
    expires = marks[0][2]
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, dt.UTC)
    end_of_day = timezone.make_aware(dt.datetime.combine(timezone.localdate() + DAY, dt.time.min))
    assert timezone.now() < expires <= end_of_day + dt.timedelta(seconds=1)


def test_a_link_preview_or_an_unknown_code_counts_nothing(world):
    bulletin = world["bulletin"]
    Client(REMOTE_ADDR=VISITOR, HTTP_USER_AGENT="facebookexternalhit/1.1").get(
        f"/ban-tin/{bulletin.slug}/", {"s": world["an"].share_code}
    )
    _visit(bulletin.slug, "khong-co-ma-nay", VISITOR)
    assert _figures(world["manager"])["share_visits"] == 0


# --- 2. shares ---------------------------------------------------------------------------------
def test_pressing_share_again_the_same_day_shares_nothing_more(world):
    an, bulletin = world["an"], world["bulletin"]
    link, personal = Client(), links.personal_path(an, bulletin)
    for _ in range(15):
        answer = link.post(personal + "chia-se/", {"via": "copy"})
        assert answer.status_code == 302 and answer["Location"] == personal + "#chia-se"
    portal = Client()
    portal.force_login(an.user)
    for _ in range(3):
        answer = portal.post(f"/cong-chuc/ban-tin/{bulletin.slug}/chia-se/", {"via": "copy"})
        assert answer.status_code == 302
        answer = portal.post(
            f"/cong-chuc/ban-tin/{bulletin.slug}/chia-se/",
            {"via": "copy"},
            HTTP_ACCEPT="application/json",
        )
        assert answer.json()["recorded"] is True
    assert _figures(world["manager"])["shares"] == 1
    # Another channel is another share; Zalo's share page opens each time.
    for _ in range(2):
        answer = portal.post(f"/cong-chuc/ban-tin/{bulletin.slug}/chia-se/", {"via": "zalo"})
        assert answer.status_code == 302 and "zalo.me" in answer["Location"]
    assert _figures(world["manager"])["shares"] == 2
    # The next day the same button counts again.
    tomorrow = timezone.now() + DAY
    assert events.record_share(an, bulletin, via="copy", at=tomorrow) is not None
    assert dashboards.dashboard(world["tree"]["CP"], days=7, now=tomorrow).total.shared == 3
    assert ReachEvent.objects.filter(kind=EventKind.SHARED, staff=an).count() == 3


# --- 3. confirming an installation --------------------------------------------------------------
def _confirm(client, code: str, staff) -> str:
    """POST the confirmation as the dashboard's button does; the page it comes back to."""
    answer = client.post(f"/cong-chuc/don-vi/{code}/xac-nhan-ung-dung/{staff.pk}/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/cong-chuc/don-vi/{code}/#cho-xac-nhan"
    return client.get(answer["Location"]).content.decode()


def test_an_installation_nobody_declared_cannot_be_confirmed(world):
    page = _page(world["manager"])
    assert "Xác nhận đã cài: Trần Thị Bình" not in page  # no button where nothing was declared
    page = _confirm(world["manager"], "CP", world["binh"])
    assert "Trần Thị Bình chưa khai báo đã cài ứng dụng chính thức: chưa có gì để xác nhận." in page
    assert not ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).exists()
    assert _figures(world["manager"])["app_confirmed"] == 0


def test_a_declared_installation_is_confirmed_once_and_the_manager_is_shown(world):
    an, manager = world["an"], world["manager"]
    events.declare_app_installed(an, on=timezone.localdate())
    assert "Xác nhận đã cài: Nguyễn Văn An" in _page(manager)
    page = _confirm(manager, "CP", an)
    assert "Đã xác nhận: Nguyễn Văn An đã cài ứng dụng chính thức." in page
    page = _confirm(manager, "CP", an)
    assert "Việc cài ứng dụng của Nguyễn Văn An đã được xác nhận trước đó." in page
    confirmed = ReachEvent.objects.get(kind=EventKind.APP_CONFIRMED)
    assert confirmed.confirmed_by.username == "quanly-cp"
    assert _figures(manager)["app_confirmed"] == 1
    # An lags (never opened the portal): the list says who confirmed, on the page and in files.
    assert "đã được quanly-cp xác nhận" in _page(manager)
    body = manager.get("/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][-2:] == ["Đã xác nhận cài ứng dụng", "Người xác nhận cài ứng dụng"]
    assert next(row for row in rows if row[0] == "Nguyễn Văn An")[-2:] == ["có", "quanly-cp"]
    # An sees it among their own data.
    mine = Client()
    mine.force_login(an.user)
    html = mine.get("/cong-chuc/du-lieu-cua-toi/").content.decode()
    assert "đã được quanly-cp xác nhận" in html
    assert "Người quản lý: quanly-cp" in html  # the event, and who did it
    html = mine.get("/cong-chuc/ung-dung/").content.decode()
    assert "quanly-cp, người quản lý đơn vị, đã xác nhận ngày" in html


def test_a_manager_does_not_confirm_their_own_installation(world):
    tree = world["tree"]
    head = make_manager(tree["CP-CT"], "truong-phuong", staff_of=tree["CP-CT"])
    own = head.staff_member
    events.declare_app_installed(own, on=timezone.localdate())
    client = Client()
    client.force_login(head)
    page = _page(client, "CP-CT")
    assert "Xác nhận đã cài: truong-phuong" not in page
    assert "Việc của chính bạn do người quản lý khác xác nhận." in page
    page = _confirm(client, "CP-CT", own)
    assert "Bạn không thể tự xác nhận việc cài ứng dụng của mình" in page
    assert not ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).exists()
    # A manager above confirms it, and is the one recorded.
    page = _confirm(world["manager"], "CP", own)
    assert "Đã xác nhận: truong-phuong đã cài ứng dụng chính thức." in page
    confirmed = ReachEvent.objects.get(kind=EventKind.APP_CONFIRMED)
    assert (confirmed.staff, confirmed.confirmed_by.username) == (own, "quanly-cp")


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_drops_the_repeated_shares_and_keeps_one_a_day():
    from django.db.migrations.executor import MigrationExecutor

    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin("Cảnh báo lừa đảo")
    before = [("reach", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("reach", "ReachEvent")
    now = timezone.now()
    for via, at in [("copy", now)] * 15 + [("zalo", now), ("copy", now + DAY)]:
        old.objects.create(
            staff_id=an.pk,
            unit_id=an.unit_id,
            kind="shared",
            bulletin_id=bulletin.pk,
            via=via,
            at=at,
            day=events.local_day(at),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    shares = ReachEvent.objects.filter(kind=EventKind.SHARED).order_by("day", "via")
    assert [(e.day, e.via) for e in shares] == [
        (events.local_day(now), "copy"),
        (events.local_day(now), "zalo"),
        (events.local_day(now + DAY), "copy"),
    ]
    assert events.record_share(an, bulletin, via="copy", at=now) is None
