"""Every address of reports that this app's public side and handlers' workspace answer × every
role and someone with no account × GET and POST: the exact status, and that only handlers
write anything to a case (its custody log counts every write)."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.reports import intake
from chinhthong.reports.models import CustodyEntry, Report
from tests.conftest import PASSWORD

from .helpers import png, report

pytestmark = pytest.mark.django_db

VISITORS = [None, *roles.PERMISSIONS]
HANDLERS = {roles.REPORT_HANDLER, roles.ADMINISTRATOR}


@pytest.fixture
def world(default_registry):
    made = report(files=[intake.Upload("anh.png", png())])
    return {"report": made, "case": made.case, "evidence": made.case.evidence.get()}


def _addresses(world):
    """(method, path, data, status for no account, for others, for handlers; writes?)"""
    case, item, code = world["case"], world["evidence"], world["report"].tracking_code
    n = case.number
    return [
        ("get", "/bao-tin-gia/", {}, (200, 200, 200), False),
        ("post", "/bao-tin-gia/", {"claim": ""}, (400, 400, 400), False),
        ("get", f"/bao-tin-gia/da-nhan/{code}/", {}, (200, 200, 200), False),
        ("post", f"/bao-tin-gia/da-nhan/{code}/", {}, (405, 405, 405), False),
        ("get", "/bao-tin-gia/da-nhan/TG-2222-3333-4444/", {}, (404, 404, 404), False),
        ("get", "/bao-tin-gia/tra-cuu/", {}, (200, 200, 200), False),
        ("get", f"/bao-tin-gia/tra-cuu/?code={code.lower()}", {}, (302, 302, 302), False),
        ("get", f"/bao-tin-gia/tra-cuu/{code}/", {}, (200, 200, 200), False),
        ("post", f"/bao-tin-gia/tra-cuu/{code}/", {}, (405, 405, 405), False),
        ("get", "/xu-ly/", {}, (302, 404, 200), False),
        ("post", "/xu-ly/", {}, (405, 405, 405), False),
        ("get", f"/xu-ly/vu-viec/{n}/", {}, (302, 404, 200), False),
        ("get", "/xu-ly/vu-viec/VV-1999-99999/", {}, (302, 404, 404), False),
        ("post", f"/xu-ly/vu-viec/{n}/", {}, (405, 405, 405), False),
        ("post", f"/xu-ly/vu-viec/{n}/state/", {"state": "triage"}, (302, 404, 302), True),
        ("get", f"/xu-ly/vu-viec/{n}/state/", {}, (405, 405, 405), False),
        ("post", f"/xu-ly/vu-viec/{n}/comment/", {"text": "Ghi chú"}, (302, 404, 302), True),
        ("post", f"/xu-ly/vu-viec/{n}/no-such-step/", {}, (302, 404, 404), False),
        (
            "post",
            "/xu-ly/nhieu-vu-viec/",
            {"case": n, "action": "assign_me"},
            (302, 404, 302),
            True,
        ),
        ("get", f"/xu-ly/bang-chung/{item.pk}/", {}, (302, 404, 200), False),
        ("get", f"/xu-ly/bang-chung/{item.pk}/xem/", {}, (302, 404, 200), False),
        ("post", f"/xu-ly/bang-chung/{item.pk}/", {}, (405, 405, 405), False),
        ("get", "/xu-ly/bang-chung/999999/", {}, (302, 404, 404), False),
        ("get", "/xu-ly/thong-ke/", {}, (302, 404, 200), False),
        ("post", "/xu-ly/thong-ke/", {}, (405, 405, 405), False),
        ("get", "/xu-ly/vu-viec.csv", {}, (302, 404, 200), False),
        ("get", "/xu-ly/vu-viec.xlsx", {}, (302, 404, 200), False),
        ("post", "/xu-ly/vu-viec.csv", {}, (405, 405, 405), False),
        # Verified information is public; the bodies' pages are for their liaisons (a liaison
        # with no body sees none; tests/reports/test_liaison_access.py goes through a body's).
        ("get", "/thong-tin-da-xac-minh/", {}, (200, 200, 200), False),
        ("post", "/thong-tin-da-xac-minh/", {}, (405, 405, 405), False),
        ("get", "/thong-tin-da-xac-minh/khong-co/", {}, (404, 404, 404), False),
        ("get", "/chuyen-xu-ly/", {}, (302, 404, 200), False),
        ("get", f"/chuyen-xu-ly/{n}/", {}, (302, 404, 200), False),
        ("post", f"/chuyen-xu-ly/{n}/cap-nhat/", {"status": "received"}, (302, 404, 404), False),
    ]


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: v or "no-account")
def test_every_address_for_every_role(world, visitor):
    client = Client()
    if visitor:
        user = accounts.create_user(f"u-{visitor}", PASSWORD, role=visitor)
        client.force_login(user)
    column = 0 if visitor is None else 2 if visitor in HANDLERS else 1
    for method, path, data, statuses, writes in _addresses(world):
        before = CustodyEntry.objects.count(), Report.objects.count()
        answer = getattr(client, method)(path, data)
        assert answer.status_code == statuses[column], (method, path, visitor)
        wrote = (CustodyEntry.objects.count(), Report.objects.count()) != before
        assert wrote == (writes and column == 2), (method, path, visitor)


def test_the_api_answers_everyone_alike(world):
    code = world["report"].tracking_code
    assert Client().get(f"/api/v1/reports/{code}").status_code == 200
    assert Client().get("/api/v1/reports/not-a-code").status_code == 404
    bad = Client().post("/api/v1/reports", "[1, 2]", content_type="application/json")
    assert bad.status_code == 400 and "detail" in bad.json()
