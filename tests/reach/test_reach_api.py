"""GET /api/v1/reach/units/{code}: a unit's dashboard figures for integrators, for a logged-in
manager of the unit or of a unit above it (an API key carries no scope that opens it), with
the same figures as the page and no one's name."""

import json

import pytest
from django.test import Client

from chinhthong.clients import api_keys
from chinhthong.reach import dashboards, events
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    make_staff(tree["HL-BC"], "Lê Thị Chi")
    bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    events.record_read(an, bulletin)
    events.record_share(an, bulletin, via="zalo")
    events.record_access(an)
    manager = Client()
    manager.force_login(make_manager(tree["QN"], "quanly-qn"))
    sibling = Client()
    sibling.force_login(make_manager(tree["HL"], "quanly-hl"))
    return {"tree": tree, "bulletin": bulletin, "manager": manager, "sibling": sibling}


def _json(answer) -> dict:
    assert answer["Content-Type"].startswith("application/json")
    return json.loads(answer.content)


def test_the_figures_are_those_of_the_page(world):
    answer = world["manager"].get("/api/v1/reach/units/QN?days=7")
    assert answer.status_code == 200
    found = _json(answer)
    board = dashboards.dashboard(world["tree"]["QN"], days=7)
    assert (found["code"], found["days"], found["bulletin"]) == ("QN", 7, None)
    assert found["since"] == board.since.isoformat() and found["until"] == board.today.isoformat()
    assert [(r["code"], r["own"]) for r in found["rows"]] == [
        ("CP", False),
        ("HL", False),
        ("QN", True),
    ]
    total = found["total"]
    assert total["staff"] == board.total.staff == 2
    assert (total["reads_owed"], total["read_within_24h"]) == (2, 1)
    assert total["read_within_24h_share"] == pytest.approx(0.5)
    assert (total["shares"], total["share_visits"], total["regular_7"]) == (1, 0, 0)
    assert total["average_days_7"] == pytest.approx(0.5)
    assert total["delivered"] == {"email": 0, "webpush": 0, "zalo": 0, "portal": 0}
    cp = next(r for r in found["rows"] if r["code"] == "CP")["figures"]
    assert (cp["staff"], cp["read_within_24h"], cp["shares"]) == (1, 1, 1)
    # Chi lags (an urgent bulletin unread, no visit, no app); An has not declared the app.
    assert (found["lagging"], found["awaiting_confirmation"]) == (2, 0)
    # Counts, never names.
    assert "Nguyễn Văn An" not in answer.content.decode()


def test_one_bulletin_and_parameters_checked(world):
    manager, slug = world["manager"], world["bulletin"].slug
    found = _json(manager.get(f"/api/v1/reach/units/CP?days=90&bulletin={slug}"))
    assert (found["bulletin"], found["days"], found["total"]["read_within_24h"]) == (slug, 90, 1)
    for query in ("days=15", "days=abc", "bulletin=c%C3%B3%20d%E1%BA%A5u", "bulletin=" + "a" * 121):
        answer = manager.get(f"/api/v1/reach/units/CP?{query}")
        assert answer.status_code == 422, query
        assert _json(answer)["detail"][0]["loc"][-1] in ("days", "bulletin")
    refused = _json(manager.get("/api/v1/reach/units/CP?days=15"))["detail"][0]
    assert refused["msg"] == "“days” phải là một trong các giá trị: 7, 30, 90."
    refused = _json(manager.get("/api/v1/reach/units/CP?bulletin=b%E1%BA%A3n"))["detail"][0]
    assert refused["msg"].startswith("“bulletin” phải là địa chỉ của một bản tin")
    answer = manager.get("/api/v1/reach/units/CP?bulletin=khong-co-ban-tin-nay")
    assert answer.status_code == 404 and "detail" in _json(answer)


def test_no_session_no_figures_and_a_key_alone_opens_nothing(world):
    answer = Client().get("/api/v1/reach/units/QN")
    assert answer.status_code == 401
    assert _json(answer) == {
        "detail": "Hãy đăng nhập bằng tài khoản quản lý đơn vị để xem số liệu."
    }
    _client, key = api_keys.create("tich-hop-thu", rate="600/m")
    answer = Client().get("/api/v1/reach/units/QN", HTTP_X_API_KEY=key)
    assert answer.status_code == 401


def test_a_unit_out_of_reach_answers_as_a_missing_one(world):
    sibling = world["sibling"]
    for code in ("CP", "CP-CT", "QN", "KHONG-CO", "%00", "a%0Ab", "x" * 65):
        answer = sibling.get(f"/api/v1/reach/units/{code}")
        assert answer.status_code == 404, code
        assert set(_json(answer)) == {"detail"}
    found = _json(sibling.get("/api/v1/reach/units/HL"))
    assert found["total"]["staff"] == 1 and found["total"]["read_within_24h"] == 0


def test_the_operation_is_documented(world):
    document = _json(Client().get("/api/v1/openapi.json"))
    operation = document["paths"]["/api/v1/reach/units/{code}"]["get"]
    assert {"200", "401", "404", "422"} <= operation["responses"].keys()
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"code", "days", "bulletin"}


def test_a_unit_whose_code_holds_a_slash_is_answered(world):
    from chinhthong.reach import organisation

    organisation.create_unit(code="CP/TT", name="Tổ tin học", parent=world["tree"]["CP"])
    found = world["manager"].get("/api/v1/reach/units/CP/TT?days=7")
    assert found.status_code == 200, found.content
    assert _json(found)["code"] == "CP/TT"
    assert world["sibling"].get("/api/v1/reach/units/CP/TT").status_code == 404
