"""Every address of the units' dashboards — pages, exports, the confirmation of an installed
app and the API — × every kind of visitor × GET and POST: the exact status, and exactly what
is written. A manager sees their unit and every unit below it; a manager of a sibling unit, a
manager of a unit below, staff who manage nothing and the other roles get 404, as for a unit
that does not exist; someone not logged in is sent to log in (the API answers 401)."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from chinhthong.accounts import roles
from chinhthong.reach import events
from chinhthong.reach.models import EventKind, ReachEvent
from tests.reach.factories import make_manager, make_staff, make_tree, make_user, publish_bulletin

pytestmark = pytest.mark.django_db

VISITORS = [
    "anonymous",
    "owner",  # manages Cẩm Phả (CP), the unit asked for
    "parent",  # manages the province above it
    "sibling",  # manages Hạ Long, beside it
    "below",  # manages a ward of Cẩm Phả, below it
    "staff",  # on Cẩm Phả's roster, manages nothing
    roles.EDITOR,
    roles.REPORT_HANDLER,
    roles.POLICE_LIAISON,
    roles.ADMINISTRATOR,
]
SEES = {"owner", "parent", roles.ADMINISTRATOR}


@pytest.fixture
def world():
    tree = make_tree()
    people = {
        "an": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "chi": make_staff(tree["HL-BC"], "Lê Thị Chi"),
    }
    bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    events.record_read(people["an"], bulletin)
    events.declare_app_installed(people["an"], on=timezone.localdate())  # to be confirmed
    users = {
        "anonymous": None,
        "owner": make_manager(tree["CP"], "quanly-cp"),
        "parent": make_manager(tree["QN"], "quanly-qn"),
        "sibling": make_manager(tree["HL"], "quanly-hl"),
        "below": make_manager(tree["CP-CT"], "quanly-ct"),
        "staff": make_staff(tree["CP"], "Phạm Văn Dũng").user,
        **{role: make_user(role) for role in VISITORS[6:]},
    }
    return {"tree": tree, "users": users, "bulletin": bulletin, **people}


def _client(world, visitor: str) -> Client:
    client = Client()
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    return client


def _page(visitor: str) -> int:
    if visitor == "anonymous":
        return 302
    return 200 if visitor in SEES else 404


def _addresses(world) -> list[tuple[str, str, int | dict]]:
    """(method, path, status: one for every visitor, or per visitor with a default)."""
    an, chi = world["an"].pk, world["chi"].pk
    pages = [
        "/cong-chuc/don-vi/CP/",
        "/cong-chuc/don-vi/CP/?days=90&bulletin=" + world["bulletin"].slug,
        "/cong-chuc/don-vi/CP-CT/",
        "/cong-chuc/don-vi/CP/xuat/bang-so-lieu.csv",
        "/cong-chuc/don-vi/CP/xuat/bang-so-lieu.xlsx",
        "/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv",
        "/cong-chuc/don-vi/CP/xuat/can-bo-cham.xlsx?days=7",
    ]
    found = []
    for path in pages:
        status = {v: _page(v) for v in VISITORS}
        if path.startswith("/cong-chuc/don-vi/CP-CT/"):
            status["below"] = 200
        found.append(("get", path, status))
        found.append(("post", path, 405))
    missing = {v: (302 if v == "anonymous" else 404) for v in VISITORS}
    found += [
        ("get", "/cong-chuc/don-vi/KHONG-CO/", missing),
        ("get", "/cong-chuc/don-vi/CP/xuat/khac.csv", missing),
        ("get", "/cong-chuc/don-vi/CP/xuat/bang-so-lieu.pdf", missing),
        (
            "get",
            "/cong-chuc/don-vi/HL/",
            {**missing, "sibling": 200, "parent": 200, roles.ADMINISTRATOR: 200},
        ),
        # The index: a manager is taken to their unit; others have no dashboard.
        (
            "get",
            "/cong-chuc/don-vi/",
            {
                **{v: 404 for v in VISITORS},
                "anonymous": 302,
                "owner": 302,
                "parent": 302,
                "sibling": 302,
                "below": 302,
                roles.ADMINISTRATOR: 302,
            },
        ),
        ("post", "/cong-chuc/don-vi/", 405),
        # Confirming that An (of a ward of Cẩm Phả) installed the app.
        ("get", f"/cong-chuc/don-vi/CP/xac-nhan-ung-dung/{an}/", 405),
        (
            "post",
            f"/cong-chuc/don-vi/CP/xac-nhan-ung-dung/{an}/",
            {v: (302 if v == "anonymous" or v in SEES else 404) for v in VISITORS},
        ),
        # Chi is in Hạ Long: not through Cẩm Phả's address, whoever asks.
        ("post", f"/cong-chuc/don-vi/CP/xac-nhan-ung-dung/{chi}/", missing),
        ("post", "/cong-chuc/don-vi/CP/xac-nhan-ung-dung/99999999999999999999/", missing),
        # The API: 401 without a session, else as the page.
        (
            "get",
            "/api/v1/reach/units/CP",
            {v: (401 if v == "anonymous" else _page(v)) for v in VISITORS},
        ),
        (
            "get",
            "/api/v1/reach/units/KHONG-CO",
            {v: (401 if v == "anonymous" else 404) for v in VISITORS},
        ),
        ("post", "/api/v1/reach/units/CP", 405),
    ]
    return found


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_address_answers_each_visitor_exactly(world, visitor):
    client = _client(world, visitor)
    for method, path, expected in _addresses(world):
        status = expected if isinstance(expected, int) else expected[visitor]
        confirmed_before = ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).count()
        response = getattr(client, method)(path)
        assert response.status_code == status, (visitor, method, path, response.status_code)
        written = ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).count() - confirmed_before
        confirms = method == "post" and "/xac-nhan-ung-dung/" in path and status == 302
        if confirms and visitor != "anonymous":
            # Written once, whoever confirms first; a second confirmation writes nothing.
            assert written in (0, 1)
        else:
            assert written == 0, (visitor, method, path)
        if visitor == "anonymous" and status == 302:
            assert response["Location"].startswith("/dang-nhap/?next=")


def test_a_confirmation_is_recorded_for_the_person_and_needs_the_forms_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["users"]["owner"])
    path = f"/cong-chuc/don-vi/CP/xac-nhan-ung-dung/{world['an'].pk}/"
    assert strict.post(path).status_code == 403
    assert not ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).exists()
    page = strict.get("/cong-chuc/don-vi/CP/")
    token = page.cookies["csrftoken"].value
    answer = strict.post(path, {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and answer["Location"].endswith(
        "/cong-chuc/don-vi/CP/#cho-xac-nhan"
    )
    confirmed = ReachEvent.objects.get(kind=EventKind.APP_CONFIRMED)
    assert (confirmed.staff, confirmed.unit) == (world["an"], world["tree"]["CP-CT"])
    assert confirmed.confirmed_by == world["users"]["owner"]
    assert "Nguyễn Văn An" in strict.get(answer["Location"]).content.decode()


def test_a_manager_of_another_unit_sees_none_of_its_personal_data(world):
    """Hạ Long's manager, on every page, file and answer they can reach, finds no name of
    Cẩm Phả's staff and none of what they did."""
    client = _client(world, "sibling")
    reachable = [
        "/cong-chuc/don-vi/HL/",
        "/cong-chuc/don-vi/HL/?days=90&bulletin=" + world["bulletin"].slug,
        "/cong-chuc/don-vi/HL-BC/",
        "/cong-chuc/don-vi/HL/xuat/bang-so-lieu.csv",
        "/cong-chuc/don-vi/HL/xuat/can-bo-cham.csv",
        "/api/v1/reach/units/HL",
    ]
    for path in reachable:
        answer = client.get(path)
        assert answer.status_code == 200, path
        text = answer.content.decode("utf-8-sig")
        assert "Lê Thị Chi" in text or path.endswith(("bang-so-lieu.csv", "/HL")), path
        for name in ("Nguyễn Văn An", "Phạm Văn Dũng", "Cẩm Phả", "Cẩm Tây"):
            assert name not in text, (path, name)
    api = json.loads(client.get("/api/v1/reach/units/HL").content)
    assert api["total"]["read_within_24h"] == 0 and api["total"]["staff"] == 1
    for path in (
        "/cong-chuc/don-vi/CP/",
        "/cong-chuc/don-vi/CP/xuat/can-bo-cham.xlsx",
        "/api/v1/reach/units/CP-CT",
    ):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "Nguyễn Văn An" not in answer.content.decode("utf-8", "replace")


def test_the_managers_above_see_the_names_of_those_who_lag(world):
    for visitor in ("owner", "parent", roles.ADMINISTRATOR):
        page = _client(world, visitor).get("/cong-chuc/don-vi/CP/").content.decode()
        assert "Nguyễn Văn An" in page and "Phạm Văn Dũng" in page, visitor


def test_the_page_speaks_the_visitors_language(world):
    from django.conf import settings

    client = _client(world, "owner")
    page = client.get("/cong-chuc/don-vi/CP/").content.decode()
    assert "30 ngày qua" in page and "Cán bộ chưa thực hiện đủ" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/cong-chuc/don-vi/CP/").content.decode()
    assert "Last 30 days" in page and "Staff who lag" in page
    assert "30 ngày qua" not in page


def test_what_a_manager_types_in_the_address_never_breaks_the_page(world):
    client = _client(world, "owner")
    for query in (
        "days=abc",
        "days=99999999999999999999999",
        "days=%00",
        "bulletin=%00%0A",
        "bulletin=" + "x" * 5000,
        "days=7&days=90",
    ):
        for path in ("/cong-chuc/don-vi/CP/", "/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv"):
            assert client.get(f"{path}?{query}").status_code == 200, (path, query)
    for code in ("%00", "CP%0A", "x" * 300, "CP/../HL"):
        assert client.get(f"/cong-chuc/don-vi/{code}/").status_code == 404, code
