"""The pages of the bodies cases are referred to (/chuyen-xu-ly/) × every kind of visitor: the
exact status. The liaison of the body a case was referred to sees it, answers on it and
downloads its package; a liaison of another body, staff and the other roles get 404, as for a
case that does not exist; report handlers see every case and download any package, but do not
answer for a body; someone not logged in is sent to log in. A liaison sees no reporter's
contact unless the setting allows it."""

import io
import zipfile

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, override_settings

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.registry.models import ReportRecipient
from chinhthong.reports import custody, referrals
from chinhthong.reports.models import CustodyEntry, Referral
from tests.conftest import PASSWORD
from tests.reports.test_referrals import INSPECTORATE, PA03, body, decided_case, handler, liaison

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Trần Thị Bình",
    "contact_email": "binh.tran@example.vn",
    "consent": True,
}
VISITORS = [
    "anonymous",
    "liaison",  # speaks for PA03, the body the case was referred to
    "other_liaison",  # speaks for the inspectorate
    "liaison_without_body",  # has the role, but no body named
    roles.STAFF,
    roles.EDITOR,
    roles.REPORT_HANDLER,
    roles.ADMINISTRATOR,
]
HANDLERS = {roles.REPORT_HANDLER, roles.ADMINISTRATOR}


@pytest.fixture
def world(default_registry):
    case = decided_case(**CONTACT)
    other = decided_case(claim="Tin đồn khác: mất điện toàn tỉnh ba ngày tới", links=(), files=())
    referrals.refer(case, body(PA03), actor=handler("xuly-gui"))
    users = {
        "anonymous": None,
        "liaison": liaison(PA03, "lienlac-pa03"),
        "other_liaison": liaison(INSPECTORATE, "lienlac-thanhtra"),
        "liaison_without_body": accounts.create_user(
            "lienlac-chua-gan", PASSWORD, role=roles.POLICE_LIAISON
        ),
        roles.REPORT_HANDLER: handler(),
        **{
            role: accounts.create_user(f"nguoi-{role}", PASSWORD, role=role)
            for role in (roles.STAFF, roles.EDITOR)
        },
        roles.ADMINISTRATOR: accounts.create_user(
            "quantri", PASSWORD, role=roles.ADMINISTRATOR, is_superuser=True
        ),
    }
    return {"case": case, "other": other, "users": users}


def client_for(world, visitor: str) -> Client:
    client = Client()
    if world["users"][visitor] is not None:
        client.force_login(world["users"][visitor])
    return client


def expected(visitor: str, what: str) -> int:
    if visitor == "anonymous":
        return 302
    if what == "list":
        return 200 if visitor in HANDLERS | {"liaison", "other_liaison"} else 404
    if what == "update":
        return 302 if visitor == "liaison" else 404
    return 200 if visitor in HANDLERS | {"liaison"} else 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_who_gets_what(world, visitor):
    number = world["case"].number
    client = client_for(world, visitor)
    addresses = {
        "list": ("get", "/chuyen-xu-ly/"),
        "case": ("get", f"/chuyen-xu-ly/{number}/"),
        "pdf": ("get", f"/chuyen-xu-ly/{number}/ho-so.pdf"),
        "zip": ("get", f"/chuyen-xu-ly/{number}/ho-so.zip"),
        "update": ("post", f"/chuyen-xu-ly/{number}/cap-nhat/"),
    }
    for what, (method, path) in addresses.items():
        data = {"status": "received", "note": "Đã nhận hồ sơ."} if method == "post" else None
        response = getattr(client, method)(path, data)
        assert response.status_code == expected(visitor, what), (what, path)
        if response.status_code == 302 and visitor == "anonymous":
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
        if what == "pdf" and response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF-")
            assert "attachment" in response["Content-Disposition"]
        if what == "zip" and response.status_code == 200:
            assert response["Content-Type"] == "application/zip"
            names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
            assert "manifest-sha256.txt" in names
        if what == "list" and response.status_code == 200:
            listed = number in response.content.decode()
            assert listed == (visitor != "other_liaison")
    # Only the referred body's liaison answered.
    status = Referral.objects.get(case=world["case"]).status
    assert status == ("received" if visitor == "liaison" else "sent")
    # A case referred to no one: 404 for every liaison, seen by handlers.
    response = client.get(f"/chuyen-xu-ly/{world['other'].number}/ho-so.zip")
    assert response.status_code == {"anonymous": 302, **dict.fromkeys(HANDLERS, 200)}.get(
        visitor, 404
    )
    # A case that does not exist: as one they may not see.
    response = client.get("/chuyen-xu-ly/VV-2000-99999/")
    assert response.status_code == (302 if visitor == "anonymous" else 404)


def test_the_liaison_answers_through_the_page(world):
    client = client_for(world, "liaison")
    number = world["case"].number
    page = client.get(f"/chuyen-xu-ly/{number}/")
    assert 'name="status"' in page.content.decode()
    response = client.post(
        f"/chuyen-xu-ly/{number}/cap-nhat/", {"status": "handling", "note": "Đã giao Đội 2."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/chuyen-xu-ly/{number}/"
    referral = Referral.objects.get(case=world["case"])
    assert (referral.status, referral.status_note) == ("handling", "Đã giao Đội 2.")
    entry = CustodyEntry.objects.filter(case=world["case"]).order_by("-seq").first()
    assert entry.action == "referral_updated"
    assert entry.actor == custody.actor_label(world["users"]["liaison"])
    assert custody.verify(world["case"]) == []
    assert "Đã giao Đội 2." in client.get(f"/chuyen-xu-ly/{number}/").content.decode()
    # Declining without a reason is refused on the page, and nothing is recorded.
    response = client.post(f"/chuyen-xu-ly/{number}/cap-nhat/", {"status": "declined", "note": ""})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Referral.objects.get(case=world["case"]).status == "handling"
    # A handler sees the page without the form: they do not answer for the body.
    page = client_for(world, roles.REPORT_HANDLER).get(f"/chuyen-xu-ly/{number}/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()


def test_a_liaison_sees_no_contact_unless_the_setting_allows(world):
    number = world["case"].number
    liaison_client = client_for(world, "liaison")
    for path in (f"/chuyen-xu-ly/{number}/", f"/chuyen-xu-ly/{number}/ho-so.zip"):
        content = liaison_client.get(path).content
        assert b"binh.tran@example.vn" not in content
    page = liaison_client.get(f"/chuyen-xu-ly/{number}/").content.decode()
    assert "Trần Thị Bình" not in page
    assert world["case"].reports.get().tracking_code in page
    # Handlers see who reported.
    page = client_for(world, roles.REPORT_HANDLER).get(f"/chuyen-xu-ly/{number}/")
    assert "binh.tran@example.vn" in page.content.decode()
    with override_settings(REFERRAL_INCLUDES_CONTACT=True):
        page = liaison_client.get(f"/chuyen-xu-ly/{number}/").content.decode()
    assert "binh.tran@example.vn" in page and "Trần Thị Bình" in page


def test_a_body_no_longer_active_sees_nothing(world):
    ReportRecipient.objects.filter(code=PA03).update(active=False)
    client = client_for(world, "liaison")
    assert client.get(f"/chuyen-xu-ly/{world['case'].number}/").status_code == 404
    assert client.get("/chuyen-xu-ly/").status_code == 404


def _sha(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def test_the_download_is_the_package_as_sent_every_time(world):
    from chinhthong.reports import handling

    case = world["case"]
    number = case.number
    referral = Referral.objects.get(case=case)
    liaison_client = client_for(world, "liaison")
    path = f"/chuyen-xu-ly/{number}/ho-so.zip"
    first = liaison_client.get(path).content
    assert liaison_client.get(path).content == first
    assert _sha(first) == referral.package_sha256
    page = liaison_client.get(f"/chuyen-xu-ly/{number}/").content.decode()
    assert referral.package_sha256 in page
    # The case goes on: a comment, a state change, the body's own answer.
    staff = world["users"][roles.REPORT_HANDLER]
    handling.comment(case, "Chờ PA03 phản hồi.", actor=staff)
    handling.move(case, "closed", actor=staff, note="Đã chuyển, đóng vụ việc.")
    liaison_client.post(f"/chuyen-xu-ly/{number}/cap-nhat/", {"status": "received", "note": ""})
    assert CustodyEntry.objects.filter(case=case, action="referral_updated").exists()
    assert _sha(liaison_client.get(path).content) == referral.package_sha256
    # A handler downloads the same package (the first body by default, or the one named).
    handler_client = client_for(world, roles.REPORT_HANDLER)
    assert _sha(handler_client.get(path).content) == referral.package_sha256
    assert _sha(handler_client.get(path + f"?co-quan={PA03}").content) == referral.package_sha256
    assert handler_client.get(path + "?co-quan=khong-co").status_code == 404
    # The package held no contacts: nothing says it cannot be rebuilt.
    assert "can no longer be rebuilt" not in page


def test_a_handler_chooses_among_the_bodies(world):
    case = world["case"]
    second = referrals.refer(case, body(INSPECTORATE), actor=world["users"][roles.REPORT_HANDLER])
    first = Referral.objects.get(case=case, recipient__code=PA03)
    assert first.package_sha256 != second.package_sha256
    client = client_for(world, roles.REPORT_HANDLER)
    path = f"/chuyen-xu-ly/{case.number}/ho-so.zip"
    assert _sha(client.get(path).content) == first.package_sha256
    assert _sha(client.get(f"{path}?co-quan={INSPECTORATE}").content) == second.package_sha256
    page = client.get(f"/chuyen-xu-ly/{case.number}/").content.decode()
    assert f"?co-quan={INSPECTORATE}" in page and f"?co-quan={PA03}" in page
    # The inspectorate's liaison gets its own package.
    other = client_for(world, "other_liaison")
    assert _sha(other.get(path).content) == second.package_sha256


def test_the_page_names_the_verdict_once_and_the_platform(world):
    from django.utils import translation

    from chinhthong.reports.models import Case, Verdict

    Case.objects.filter(pk=world["case"].pk).update(platform="facebook")
    client = client_for(world, "liaison")
    page = client.get(f"/chuyen-xu-ly/{world['case'].number}/").content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Verdict.FABRICATED.label)
    assert page.count(label) == 1, label
    assert f"{label} (" not in page
    assert "Facebook" in page and ">facebook<" not in page
    assert "chinhthong/referral.css" in page
    assert 'class="radio-list"' in page
    assert '<label for="id_status_0"><input' in page


@override_settings(REFERRAL_INCLUDES_CONTACT=True)
def test_the_page_says_when_erased_contacts_change_the_package(default_registry):
    from django.utils import timezone

    from chinhthong.reports.models import Report

    case = decided_case(**CONTACT)
    referral = referrals.refer(case, body(PA03), actor=handler("xuly-gui"))
    client = Client()
    client.force_login(liaison(PA03, "lienlac-pa03"))
    page = client.get(f"/chuyen-xu-ly/{case.number}/").content.decode()
    assert 'role="note"' not in page
    Report.objects.filter(case=case).update(
        contact_name="", contact_email="", contact_phone="", contact_erased_at=timezone.now()
    )
    page = client.get(f"/chuyen-xu-ly/{case.number}/").content.decode()
    assert referral.package_sha256 in page
    assert 'role="note"' in page
