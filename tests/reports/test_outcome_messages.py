"""Reporters who left an email and agreed to be contacted are told the outcome, once each,
through the task queue and a real SMTP server on loopback (tests/delivery/smtp_server.py): their
own tracking code, the verdict, the rebuttal's or the tracking page's address, and nothing of
any other report."""

import pytest
from django.utils import timezone

from chinhthong.reports import outcome_messages, rebuttals
from chinhthong.reports.models import Case, Report, State, Verdict
from tests.delivery.smtp_server import site_sending_to

from .helpers import report

pytestmark = pytest.mark.django_db

SITE = "https://congchuc.example.vn"
PEOPLE = [
    ("Nguyễn Thị An", "an@example.vn", True),
    ("Trần Văn Bình", "binh@example.vn", True),
    ("Lê Thị Chi", "chi@example.vn", False),  # left an address, did not agree to be contacted
]
POST = "https://www.facebook.com/groups/123/posts/456"


@pytest.fixture
def mail(settings):
    with site_sending_to(
        settings, mail_from="baotingia@quangninh.gov.vn", public_url=SITE
    ) as server:
        yield server


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what is queued on commit (the tasks, on the tests' immediate backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def case(default_registry):
    for name, email, consent in PEOPLE:
        report(
            claim=f"Bài đăng về phong tỏa, {name} báo",
            links=[POST],
            contact_name=name,
            contact_email=email,
            consent=consent,
        )
    # One who left only a phone number: no email to send.
    report(links=[POST], contact_phone="0912345678", consent=True)
    found = Case.objects.get()
    assert found.reports.count() == 4
    return found


def decide(case: Case, verdict=Verdict.FALSE, state=State.CLOSED) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state, verdict=verdict, decided_at=timezone.now())
    case.refresh_from_db()
    return case


def by_recipient(server) -> dict:
    found = {}
    for received in server.received:
        (recipient,) = received.recipients
        assert recipient not in found, f"{recipient} told twice"
        found[recipient] = received
    return found


def test_publishing_tells_each_reporter_once_with_their_own_code(mail, case, committed):
    with committed():
        published = rebuttals.publish_rebuttal(
            decide(case),
            actor=None,
            title="Không có chuyện phong tỏa",
            text="UBND tỉnh khẳng định không có kế hoạch phong tỏa.",
        )
    sent = by_recipient(mail)
    assert set(sent) == {"an@example.vn", "binh@example.vn"}
    codes = {r.contact_email: r.tracking_code for r in case.reports.all()}
    everything_of = {
        r.contact_email: [r.tracking_code, r.contact_name, r.contact_email]
        for r in case.reports.exclude(contact_email="")
    }
    label = str(Verdict.FALSE.label)
    for address, received in sent.items():
        body = received.text()
        message = received.message
        assert message["To"] == address
        assert message["Auto-Submitted"] == "auto-generated"
        assert codes[address] in message["Subject"] and codes[address] in body
        assert label in body
        assert f"{SITE}/thong-tin-da-xac-minh/{published.rebuttal_slug}/" in body
        assert f"{SITE}/bao-tin-gia/tra-cuu/{codes[address]}/" in body
        # Nothing of the other reports: their codes, names, addresses.
        for other, values in everything_of.items():
            if other != address:
                for value in values:
                    assert value not in received.content.decode("utf-8", "replace"), value
        assert case.number not in body
    told = Report.objects.filter(case=case).exclude(outcome_sent_at=None)
    assert set(told.values_list("contact_email", flat=True)) == {"an@example.vn", "binh@example.vn"}
    # Asked again (a decision, the sweep, a second worker): no one is told twice.
    with committed():
        assert outcome_messages.tell_reporters(case) == 0
    assert outcome_messages.tell_pending_reporters.call() == 0
    for report_pk in case.reports.values_list("pk", flat=True):
        assert outcome_messages.send_outcome.call(report_pk) is False
    assert len(mail.received) == 2


def test_a_decision_without_a_rebuttal_links_the_tracking_page(mail, case, committed):
    with committed():
        assert outcome_messages.tell_reporters(decide(case, Verdict.TRUE)) == 2
    sent = by_recipient(mail)
    body = sent["an@example.vn"].text()
    code = Report.objects.get(contact_email="an@example.vn").tracking_code
    assert str(Verdict.TRUE.label) in body
    assert f"{SITE}/bao-tin-gia/tra-cuu/{code}/" in body
    assert "/thong-tin-da-xac-minh/" not in body
    # Publishing later tells no one again: the tracking page shows the rebuttal.
    with committed():
        rebuttals.publish_rebuttal(case, actor=None, title="Đúng sự thật", text="Xác nhận.")
    assert len(mail.received) == 2


def test_a_rejected_case_tells_them_it_is_not_actionable(mail, case, committed):
    with committed():
        outcome_messages.tell_reporters(decide(case, "", State.REJECTED))
    sent = by_recipient(mail)
    assert set(sent) == {"an@example.vn", "binh@example.vn"}
    assert str(State.REJECTED.label) in sent["binh@example.vn"].text()


@pytest.mark.parametrize(
    "state", [State.NEW, State.TRIAGE, State.INVESTIGATING, State.DECIDED, State.REFERRED]
)
def test_no_one_is_told_before_there_is_an_outcome(mail, case, committed, state):
    Case.objects.filter(pk=case.pk).update(state=state, verdict=Verdict.FALSE)
    with committed():
        assert outcome_messages.tell_reporters(case) == 0
    assert outcome_messages.tell_pending_reporters.call() == 0
    assert mail.received == []
    assert not Report.objects.exclude(outcome_sent_at=None).exists()


def test_a_decided_case_without_a_verdict_tells_no_one(mail, case, committed):
    with committed():
        assert outcome_messages.tell_reporters(decide(case, "")) == 0
    assert mail.received == []


def test_a_send_that_fails_is_tried_again_and_still_sent_once(mail, case, committed):
    mail.refuse("an@example.vn", "451 4.3.0 Try again later", times=1)
    with committed():
        outcome_messages.tell_reporters(decide(case))
    # The refusal released the claim; the other reporter was told.
    assert set(by_recipient(mail)) == {"binh@example.vn"}
    an = Report.objects.get(contact_email="an@example.vn")
    assert an.outcome_sent_at is None
    # The periodic sweep tries again, once; later sweeps find no one.
    assert outcome_messages.tell_pending_reporters.call() == 1
    assert set(by_recipient(mail)) == {"an@example.vn", "binh@example.vn"}
    assert outcome_messages.tell_pending_reporters.call() == 0
    assert len(mail.received) == 2


def test_an_address_refused_for_good_is_not_tried_again(mail, case, committed):
    mail.refuse("an@example.vn", "550 5.1.1 No such user")
    with committed():
        outcome_messages.tell_reporters(decide(case))
    assert set(by_recipient(mail)) == {"binh@example.vn"}
    assert Report.objects.get(contact_email="an@example.vn").outcome_sent_at is not None
    assert outcome_messages.tell_pending_reporters.call() == 0


def test_a_failed_send_is_seen_as_a_failed_task(mail, case, committed, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    decide(case)
    pk = Report.objects.get(contact_email="an@example.vn").pk
    result = outcome_messages.send_outcome.enqueue(pk)
    assert result.status == "FAILED"
    assert Report.objects.get(pk=pk).outcome_sent_at is None


def test_a_report_joining_a_decided_case_is_told_by_the_sweep(mail, case, committed):
    decide(case, state=State.DECIDED)  # and published, so final: new reports may still join it
    Case.objects.filter(pk=case.pk).update(
        rebuttal_slug="da-xac-minh", rebuttal_title="Đã xác minh", published_at=timezone.now()
    )
    with committed():
        outcome_messages.tell_reporters(case)
    assert len(mail.received) == 2
    late = report(links=[POST], contact_email="muon@example.vn", consent=True)
    assert late.case_id == case.pk
    assert outcome_messages.tell_pending_reporters.call() == 1
    assert set(by_recipient(mail)) == {"an@example.vn", "binh@example.vn", "muon@example.vn"}
