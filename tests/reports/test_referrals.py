"""Referring a decided case to a body (reports/referrals.py): the referral, the case's state,
the package's hashes in the custody log; the body's liaison's answers, recorded in the log too;
what is refused."""

import pytest
from django.db.models import F

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.registry.models import ReportRecipient
from chinhthong.reports import custody, evidence, intake, referrals
from chinhthong.reports.models import Case, CustodyEntry, Liaison, ReferralStatus, State
from tests.conftest import PASSWORD
from tests.reports.helpers import png, report

pytestmark = pytest.mark.django_db

PA03 = "pa03-cong-an-quang-ninh"
INSPECTORATE = "thanh-tra-so-tttt-quang-ninh"


def body(code: str) -> ReportRecipient:
    return ReportRecipient.objects.get(code=code)


def handler(username: str = "xuly"):
    return accounts.create_user(username, PASSWORD, role=roles.REPORT_HANDLER)


def liaison(code: str, username: str | None = None):
    user = accounts.create_user(
        username or f"lienlac-{code}"[:30], PASSWORD, role=roles.POLICE_LIAISON
    )
    Liaison.objects.create(user=user, recipient=body(code))
    return user


def decided_case(state: str = State.DECIDED, files=None, **fields) -> Case:
    """A case made through intake (with a screenshot unless ``files`` says otherwise), then
    set decided directly: the handling services are not this module's."""
    if files is None:
        files = [intake.Upload("ảnh chụp màn hình.png", png())]
    made = report(files=files, **fields)
    Case.objects.filter(pk=made.case_id).update(
        state=state,
        verdict="fabricated",
        finding="Sở Y tế tỉnh Quảng Ninh xác nhận không có lệnh phong tỏa nào.",
    )
    return Case.objects.get(pk=made.case_id)


def test_refer_records_the_referral_and_the_package_hashes(default_registry):
    case = decided_case()
    staff = handler()
    referral = referrals.refer(case, body(PA03), actor=staff, note="Đề nghị xác minh người đăng.")

    case.refresh_from_db()
    assert case.state == State.REFERRED
    assert referral.status == ReferralStatus.SENT
    assert referral.referred_by == staff
    assert referral.note == "Đề nghị xác minh người đăng."
    assert len(referral.package_sha256) == 64
    entry = CustodyEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.action == "referred"
    assert entry.actor == custody.actor_label(staff)
    assert entry.detail["recipient"] == PA03
    assert entry.detail["zip_sha256"] == referral.package_sha256
    assert len(entry.detail["pdf_sha256"]) == 64
    assert entry.detail["evidence"] == 1
    assert entry.detail["state"] == {"from": "decided", "to": "referred"}
    # The note may name people: the log, kept for ever, holds its hash.
    assert entry.detail["note_sha256"] == evidence.sha256(referral.note.encode())
    assert "Đề nghị" not in str(entry.detail)
    assert custody.verify(case) == []


def test_a_referred_case_goes_to_a_second_body_but_never_twice_to_one(default_registry):
    case = decided_case()
    staff = handler()
    referrals.refer(case, body(PA03), actor=staff)
    second = referrals.refer(case, body(INSPECTORATE), actor=staff)
    assert second.recipient.code == INSPECTORATE
    assert CustodyEntry.objects.filter(case=case, action="referred").count() == 2
    with pytest.raises(Refused) as refused:
        referrals.refer(case, body(PA03), actor=staff)
    assert refused.value.code == "already_referred"
    assert case.referrals.count() == 2
    assert custody.verify(case) == []


@pytest.mark.parametrize("state", [State.NEW, State.TRIAGE, State.INVESTIGATING, State.CLOSED])
def test_only_a_decided_case_is_referred(default_registry, state):
    case = decided_case(state=state)
    before = CustodyEntry.objects.filter(case=case).count()
    with pytest.raises(Refused) as refused:
        referrals.refer(case, body(PA03), actor=handler())
    assert refused.value.code == "not_decided"
    case.refresh_from_db()
    assert case.state == state
    assert not case.referrals.exists()
    assert CustodyEntry.objects.filter(case=case).count() == before


def test_an_inactive_body_takes_no_referral(default_registry):
    case = decided_case()
    ReportRecipient.objects.filter(code=PA03).update(active=False)
    with pytest.raises(Refused) as refused:
        referrals.refer(case, body(PA03), actor=handler())
    assert refused.value.code == "recipient_inactive"
    assert Case.objects.get(pk=case.pk).state == State.DECIDED


def test_only_a_handler_refers(default_registry):
    case = decided_case()
    for user in (liaison(PA03), accounts.create_user("canbo", PASSWORD, role=roles.STAFF)):
        with pytest.raises(NotFound):
            referrals.refer(case, body(PA03), actor=user)
    assert not case.referrals.exists()
    # The system (the CLI) may.
    assert referrals.refer(case, body(PA03), actor=None).referred_by is None


def test_the_liaison_answers_and_each_answer_is_in_the_custody_log(default_registry):
    case = decided_case()
    referral = referrals.refer(case, body(PA03), actor=handler())
    speaker = liaison(PA03)

    referrals.update_referral(referral, actor=speaker, status="received", note="")
    referrals.update_referral(
        referral, actor=speaker, status="handling", note="Đã giao Đội 2 xác minh."
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.HANDLING
    assert referral.status_note == "Đã giao Đội 2 xác minh."
    entries = list(
        CustodyEntry.objects.filter(case=case, action="referral_updated").order_by("seq")
    )
    assert [e.detail["status"] for e in entries] == [
        {"from": "sent", "to": "received"},
        {"from": "received", "to": "handling"},
    ]
    assert all(e.actor == custody.actor_label(speaker) for e in entries)
    assert entries[1].detail["note_sha256"] == evidence.sha256("Đã giao Đội 2 xác minh.".encode())
    assert custody.verify(case) == []
    statuses = [h.status for h in referral.history.order_by("history_date", "history_id")]
    assert statuses[-3:] == ["sent", "received", "handling"]


def test_what_the_liaison_may_not_answer(default_registry):
    case = decided_case()
    referral = referrals.refer(case, body(PA03), actor=handler("xuly1"))
    speaker = liaison(PA03)
    with pytest.raises(Refused) as refused:
        referrals.update_referral(referral, actor=speaker, status="sent", note="")
    assert refused.value.code == "referral_status"
    with pytest.raises(Refused) as refused:
        referrals.update_referral(referral, actor=speaker, status="nonsense", note="")
    assert refused.value.code == "referral_status"
    with pytest.raises(Refused) as refused:
        referrals.update_referral(referral, actor=speaker, status="declined", note="  ")
    assert refused.value.code == "decline_reason"
    referrals.update_referral(referral, actor=speaker, status="received", note="")
    with pytest.raises(Refused) as refused:
        referrals.update_referral(referral, actor=speaker, status="received", note="")
    assert refused.value.code == "unchanged"
    with pytest.raises(Refused) as refused:
        referrals.update_referral(referral, actor=speaker, status="done", note="x" * 5001)
    assert refused.value.code == "note_too_long"
    # Another body's liaison, a handler, someone without a body: as if there were no referral.
    for user in (liaison(INSPECTORATE), handler("xuly2"), None):
        with pytest.raises(NotFound):
            referrals.update_referral(referral, actor=user, status="done", note="Xong.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert CustodyEntry.objects.filter(case=case, action="referral_updated").count() == 1


def test_a_liaison_of_a_body_no_longer_active_answers_nothing(default_registry):
    case = decided_case()
    referral = referrals.refer(case, body(PA03), actor=handler())
    speaker = liaison(PA03)
    ReportRecipient.objects.filter(code=PA03).update(active=False)
    with pytest.raises(NotFound):
        referrals.update_referral(referral, actor=speaker, status="received", note="")


def test_custody_still_catches_a_changed_referral_entry(default_registry):
    case = decided_case()
    referrals.refer(case, body(PA03), actor=handler())
    CustodyEntry.objects.filter(case=case, action="referred").update(seq=F("seq"), detail={})
    problems = custody.verify(case)
    assert (
        problems and problems[0].seq == CustodyEntry.objects.get(case=case, action="referred").seq
    )
