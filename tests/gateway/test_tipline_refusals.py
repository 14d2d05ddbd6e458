"""What the tipline does not answer, and what it survives: automatic replies, bounces, lists
and its own replies get no answer (no loops); hostile mail (malformed, absurd headers, too
large) is set aside without stopping the run; a reply the mail server refuses is not retried
for ever; the command and the scheduled task."""

import mailbox
from email.message import EmailMessage

import pytest
import typer
from django.utils.translation import gettext as _
from typer.testing import CliRunner

from chinhthong.config.schedule import PERIODIC
from chinhthong.gateway import tasks, tipline
from chinhthong.gateway.cli import app as gateway_app
from chinhthong.gateway.models import TiplineMessage, TiplineStatus
from tests.gateway import tipline_helpers
from tests.gateway.tipline_helpers import (
    FORWARDER,
    TIPLINE,
    add,
    forward_as_attachment,
    scam,
)

pytestmark = pytest.mark.django_db

# The helpers' fixtures, used here by name.
mail = tipline_helpers.mail
maildir = tipline_helpers.maildir


def automatic(**headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "vang-mat@example.vn")
    message["To"] = TIPLINE
    message["Subject"] = "Trả lời tự động: đang nghỉ phép"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Tôi đang nghỉ phép đến hết tuần.\n")
    message.add_attachment(scam())  # even with a scam in it
    return bytes(message)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"List_Id": "Tin tuc <tintuc.example.vn>"},
        {"Return_Path": "<>"},
        {"From": "MAILER-DAEMON@mx.example.vn"},
        {"X_Autoreply": "yes"},
        {"X_Auto_Response_Suppress": "OOF, AutoReply"},
        {"From": TIPLINE},  # our own reply come back
        {"X_Chinhthong_Tipline": "impersonation"},
    ],
)
def test_automatic_mail_and_our_own_is_never_answered(default_registry, maildir, mail, headers):
    add(maildir, automatic(**headers))
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.ignored) == (0, 1)
    assert mail.received == []
    assert not TiplineMessage.objects.exists()
    assert list((maildir / "new").iterdir()) == []  # handled: marked seen


def test_a_bounce_report_is_not_answered(default_registry, maildir, mail):
    report = EmailMessage()
    report["From"] = "postmaster@mx.example.vn"
    report["To"] = TIPLINE
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("The mail system could not deliver your message.\n")
    report.make_mixed()
    report.replace_header("Content-Type", "multipart/report; report-type=delivery-status")
    add(maildir, bytes(report))
    assert tipline.answer_maildir(maildir).ignored == 1
    assert mail.received == []


def test_hostile_messages_are_set_aside_or_answered_and_the_run_goes_on(
    default_registry, maildir, mail, monkeypatch
):
    absurd = (
        f"From: {FORWARDER}\r\nSubject: x\r\nContent-Type: multipart/mixed"
        + "; a=b" * 500
        + "\r\n\r\nbody\r\n"
    ).encode()
    garbage = b"\x00\xff\xfe" * 2000
    huge_header = (
        f"From: {FORWARDER}\r\nSubject: " + "A" * 500_000 + "\r\nMessage-ID: <h@x>\r\n\r\nx\r\n"
    ).encode()
    broken_attachment = (
        f"From: {FORWARDER}\r\nTo: {TIPLINE}\r\nSubject: Fwd\r\nMessage-ID: <b@x>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nxem\r\n"
        "--B\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "%%%% not base64 at all !!!!\r\n--B--\r\n"
    ).encode()
    bad_from = b"From: =?utf-8?b?////?= <<<@@@>>>\r\nSubject: =?x?q?\r\n\r\nFwd\r\n"
    add(maildir, absurd, garbage, huge_header, broken_attachment, bad_from)
    add(maildir, forward_as_attachment(scam()))
    counts = tipline.answer_maildir(maildir)
    assert counts.refused >= 1
    assert counts.answered >= 1  # the scam after them is answered
    total = sum(v for k, v in counts.as_dict().items() if k != "notes")
    assert total == 6
    refused = mailbox.Maildir(maildir, create=False).get_folder("Refused")
    assert absurd in [bytes(refused.get_bytes(k)) for k in refused.iterkeys()]
    assert list((maildir / "new").iterdir()) == []
    again = tipline.answer_maildir(maildir)  # nothing tried again
    assert sum(v for k, v in again.as_dict().items() if k != "notes") == 0


def test_a_message_over_the_size_cap_is_set_aside(default_registry, maildir, mail, monkeypatch):
    monkeypatch.setattr(tipline, "MAX_MESSAGE_BYTES", 500)
    add(maildir, forward_as_attachment(scam()))
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.refused) == (0, 1)
    assert _("The message is larger than %(mb)s MB.") % {"mb": 0} in counts.notes[0]
    assert mail.received == []


def test_a_reply_refused_for_good_is_recorded_and_not_retried(default_registry, maildir, mail):
    mail.refuse(FORWARDER, "550 5.1.1 No such user")
    add(maildir, forward_as_attachment(scam()))
    counts = tipline.answer_maildir(maildir)
    assert counts.failed == 1
    row = TiplineMessage.objects.get()
    assert row.status == TiplineStatus.FAILED and "550" in row.error
    assert tipline.answer_maildir(maildir).failed == 0


def test_a_reply_the_server_defers_is_sent_by_the_next_run(default_registry, maildir, mail):
    mail.refuse(FORWARDER, "451 4.3.0 Try later", times=1)
    add(maildir, forward_as_attachment(scam()), forward_as_attachment(scam()))
    first = tipline.answer_maildir(maildir)
    assert (first.answered, first.deferred) == (0, 2)  # the rest waits for the next run
    assert len(list((maildir / "new").iterdir())) == 2
    second = tipline.answer_maildir(maildir)
    assert second.answered == 2
    assert len(mail.wait_for(2)) == 2
    assert set(TiplineMessage.objects.values_list("status", flat=True)) == {TiplineStatus.REPLIED}


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    app.add_typer(gateway_app, name="gateway")
    return app


def test_the_command_answers_and_prints_the_counts(default_registry, maildir, mail):
    add(maildir, forward_as_attachment(scam()), automatic(Auto_Submitted="auto-replied"))
    result = CliRunner().invoke(cli(), ["gateway", "tipline", str(maildir)])
    assert result.exit_code == 0, result.output
    counts = tipline.Counts(answered=1, ignored=1)
    assert " ".join(tipline.summary(counts, maildir).split()) in " ".join(result.output.split())
    assert len(mail.wait_for(1)) == 1


def test_the_command_refuses_a_folder_that_is_not_a_maildir(db, tmp_path):
    result = CliRunner().invoke(cli(), ["gateway", "tipline", str(tmp_path)])
    assert result.exit_code == 2
    assert "Maildir" in result.output and "new/, cur/" in result.output


def test_the_scheduled_task_answers_the_maildir_of_the_setting_every_minute(
    default_registry, maildir, mail, settings
):
    assert (60, "chinhthong.gateway.tasks.answer_tipline") in PERIODIC
    settings.TIPLINE_MAILDIR = ""
    assert tasks.answer_tipline.call() == {}
    settings.TIPLINE_MAILDIR = str(maildir)
    add(maildir, forward_as_attachment(scam()))
    assert tasks.answer_tipline.call()["answered"] == 1
    assert len(mail.wait_for(1)) == 1
