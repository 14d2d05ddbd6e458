"""Bounces (RFC 3464 delivery status notifications) read from a Maildir find the email they are
about by its signed Message-ID, and turn its delivery into a permanent failure; each message of
the Maildir is read once."""

import mailbox

import pytest
from typer.testing import CliRunner

from chinhthong.delivery import bounces
from chinhthong.delivery.cli import app as delivery_cli
from chinhthong.delivery.models import Channel, Delivery, Status
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


def dsn(original_headers: bytes, recipient: str, *, action: str = "failed") -> bytes:
    """A bounce as Postfix writes one: text, the delivery status, the original's headers."""
    return (
        b"From: MAILER-DAEMON@mx.quangninh.gov.vn (Mail Delivery System)\r\n"
        b"To: bantin@quangninh.gov.vn\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        b' boundary="B0UND"\r\n\r\n'
        b"--B0UND\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        b"--B0UND\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.quangninh.gov.vn\r\n"
        b"Arrival-Date: Sat,  5 Dec 2026 08:00:00 +0700 (+07)\r\n\r\n"
        b"Final-Recipient: rfc822; " + recipient.encode() + b"\r\n"
        b"Original-Recipient: rfc822;" + recipient.encode() + b"\r\n"
        b"Action: " + action.encode() + b"\r\n"
        b"Status: 5.1.1\r\n"
        b"Remote-MTA: dns; hopthu.quangninh.gov.vn\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 <" + recipient.encode() + b">: Recipient\r\n"
        b"    address rejected: User unknown in virtual mailbox table\r\n\r\n"
        b"--B0UND\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        + original_headers
        + b"\r\n--B0UND--\r\n"
    )


def headers_of(content: bytes) -> bytes:
    return content.split(b"\r\n\r\n", 1)[0] + b"\r\n"


@pytest.fixture
def sent(mail, committed):
    tree = make_tree()
    for n in range(3):
        make_staff(tree["HL-BC"], f"Cán bộ {n}", email=f"cb{n}@quangninh.gov.vn")
    with committed():
        publish_bulletin("Cảnh báo khẩn", urgent=True)
    return {r.recipients[0]: r for r in mail.wait_for(3)}


def test_a_bounce_makes_the_delivery_a_permanent_failure_once(sent, tmp_path):
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    failed = sent["cb1@quangninh.gov.vn"]
    box.add(dsn(headers_of(failed.content), "cb1@quangninh.gov.vn"))
    delayed = sent["cb2@quangninh.gov.vn"]
    box.add(dsn(headers_of(delayed.content), "cb2@quangninh.gov.vn", action="delayed"))
    forged = headers_of(sent["cb0@quangninh.gov.vn"].content).replace(b"ct.", b"ct.9")
    box.add(dsn(forged, "cb0@quangninh.gov.vn"))
    box.add(b"From: someone@example.vn\r\nSubject: Hello\r\n\r\nNot a bounce.\r\n")

    result = CliRunner().invoke(delivery_cli, ["bounces", str(tmp_path / "bounces")])
    assert result.exit_code == 0, result.output
    assert "Đã đọc 4 thư, 3 báo cáo gửi thư, ghi nhận 1 lượt gửi bị trả lại" in result.output
    rows = {
        r.staff.email: r
        for r in Delivery.objects.filter(channel=Channel.EMAIL).select_related("staff")
    }
    bounced = rows["cb1@quangninh.gov.vn"]
    assert bounced.status == Status.PERMANENT_FAILURE
    assert "5.1.1" in bounced.reason and "User unknown" in bounced.reason
    assert rows["cb2@quangninh.gov.vn"].status == Status.DELIVERED  # only delayed
    assert rows["cb0@quangninh.gov.vn"].status == Status.DELIVERED  # a forged Message-ID

    assert bounces.read_maildir(tmp_path / "bounces").read == 0  # each message read once
    seen = list((tmp_path / "bounces" / "cur").iterdir())
    assert len(seen) == 4 and all(p.name.endswith(":2,S") for p in seen)


def test_a_bounce_that_quotes_the_whole_message(sent, tmp_path):
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    original = sent["cb0@quangninh.gov.vn"].content
    report = dsn(b"", "cb0@quangninh.gov.vn").replace(
        b"Content-Type: text/rfc822-headers\r\n\r\n",
        b"Content-Type: message/rfc822\r\n\r\n" + original,
    )
    box.add(report)
    summary = bounces.read_maildir(tmp_path / "bounces")
    assert summary.as_dict() == {"read": 1, "reports": 1, "failures": 1, "recorded": 1}
    row = Delivery.objects.get(channel=Channel.EMAIL, staff__email="cb0@quangninh.gov.vn")
    assert row.status == Status.PERMANENT_FAILURE


def test_a_folder_that_is_not_a_maildir_is_refused(db, tmp_path):
    result = CliRunner().invoke(delivery_cli, ["bounces", str(tmp_path)])
    assert result.exit_code == 2 and "Maildir" in result.output
