"""The liaisons of a body are told by email, through the task queue and a real SMTP server on
loopback (tests/delivery/smtp_server.py), when a case is referred to it: which case, from which
province body, the link to the case's page; nothing of the reporters."""

import pytest

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.portal import services as portal
from chinhthong.reports import referral_messages, referrals
from chinhthong.reports.models import Liaison
from tests.conftest import PASSWORD
from tests.delivery.smtp_server import site_sending_to
from tests.reports.test_referrals import INSPECTORATE, PA03, body, decided_case, handler

pytestmark = pytest.mark.django_db

SITE = "https://congchuc.example.vn"
CONTACT = {
    "contact_name": "Trần Thị Bình",
    "contact_email": "binh.tran@example.vn",
    "contact_phone": "0912345678",
    "consent": True,
}


@pytest.fixture
def mail(settings):
    with site_sending_to(settings, mail_from="baotingia@quangninh.gov.vn", public_url=SITE) as s:
        yield s


def liaison_with(code: str, username: str, email: str, **fields):
    user = accounts.create_user(username, PASSWORD, role=roles.POLICE_LIAISON, email=email)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    Liaison.objects.create(user=user, recipient=body(code))
    return user


def test_each_active_liaison_of_the_body_is_told_once(
    default_registry, mail, django_capture_on_commit_callbacks
):
    portal.update_identity(name="Sở Thông tin và Truyền thông tỉnh Quảng Ninh")
    liaison_with(PA03, "pa03-mot", "mot@pa03.example.vn")
    liaison_with(PA03, "pa03-hai", "hai@pa03.example.vn")
    liaison_with(PA03, "pa03-nghi", "nghi@pa03.example.vn", is_active=False)
    liaison_with(PA03, "pa03-khong-thu", "")
    liaison_with(INSPECTORATE, "thanhtra", "tt@thanhtra.example.vn")
    case = decided_case(**CONTACT)
    with django_capture_on_commit_callbacks(execute=True):
        referrals.refer(case, body(PA03), actor=handler())
    received = {r.recipients[0]: r for r in mail.received}
    assert set(received) == {"mot@pa03.example.vn", "hai@pa03.example.vn"}
    for message in received.values():
        text = message.text()
        assert case.number in message.message["Subject"]
        assert message.message["Auto-Submitted"] == "auto-generated"
        assert f"{SITE}/chuyen-xu-ly/{case.number}/" in text
        assert case.title in text
        assert "Sở Thông tin và Truyền thông tỉnh Quảng Ninh" in text
        assert "Phòng PA03" in text
        content = message.content.decode("utf-8", "replace")
        for value in CONTACT.values():
            if isinstance(value, str):
                assert value not in content
        report = case.reports.get()
        assert report.tracking_code not in content  # (the title here is the claim itself)


def test_nothing_is_sent_when_the_referral_is_refused(
    default_registry, mail, django_capture_on_commit_callbacks
):
    from chinhthong.config.refusals import Refused

    liaison_with(PA03, "pa03-mot", "mot@pa03.example.vn")
    case = decided_case()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.refer(case, body(PA03), actor=handler())
    assert len(mail.received) == 1
    with pytest.raises(Refused), django_capture_on_commit_callbacks(execute=True):
        referrals.refer(case, body(PA03), actor=handler("xuly2"))
    assert len(mail.received) == 1
    # The task itself, run again, says how many it wrote to.
    referral = case.referrals.get()
    assert referral_messages.send_referral_notice.call(referral.pk) == 1
