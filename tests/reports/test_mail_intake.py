"""Reports by mail: forwarded messages read from a Maildir as a mail server delivers them
become reports (links, text, screenshots, the message itself as evidence), each exactly once,
and what cannot be a report is set aside without stopping the run."""

import datetime as dt
import hashlib
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
import typer
from django.utils import timezone
from typer.testing import CliRunner

from chinhthong.reports import custody, mail_intake, mail_tasks
from chinhthong.reports.models import Evidence, EvidenceKind, Intake, Report

from .helpers import png

pytestmark = pytest.mark.django_db

SCAM_LINK = "https://vietcombank-xacthuc.com/dang-nhap?ma=8841"
SCAM_HREF = "https://vietcombank-xacthuc.com/xac-minh"
FACEBOOK_POST = "https://www.facebook.com/groups/987/posts/654/?mibextid=abc"
SEEN = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)


def scam_forwarded_as_attachment() -> bytes:
    """A phishing mail a resident forwarded "as attachment", with a screenshot of their own."""
    scam = EmailMessage()
    scam["From"] = "Vietcombank <hotro@vietcombank-xacthuc.com>"
    scam["To"] = "an@example.vn"
    scam["Subject"] = "Tài khoản của quý khách bị tạm khóa"
    scam["Date"] = format_datetime(SEEN)
    scam["Message-ID"] = make_msgid(domain="vietcombank-xacthuc.com")
    scam.set_content(
        "Kính gửi quý khách,\n\nTài khoản của quý khách bị tạm khóa do nghi ngờ gian lận.\n"
        f"Vui lòng xác minh trong 24 giờ tại {SCAM_LINK}.\n"
    )
    scam.add_alternative(
        "<p>Kính gửi quý khách,</p><p>Tài khoản của quý khách bị tạm khóa.</p>"
        f'<p><a href="{SCAM_HREF}">Bấm vào đây để xác minh</a></p>',
        subtype="html",
    )
    forward = EmailMessage()
    forward["From"] = "Nguyễn Văn An <an@example.vn>"
    forward["To"] = "baocao@quangninh.gov.vn"
    forward["Subject"] = "Fwd: Tài khoản của quý khách bị tạm khóa"
    forward["Message-ID"] = "<chuyen-tiep-1@example.vn>"
    forward.set_content("Nhờ kiểm tra giúp thư lừa đảo này.\n\n-- \nAn\nhttps://an-ca-nhan.vn\n")
    forward.add_attachment(png(), maintype="image", subtype="png", filename="anh-chup.png")
    forward.add_attachment(scam)
    return bytes(forward)


def inline_forward_in_vietnamese() -> bytes:
    """Gmail in Vietnamese, "Chuyển tiếp": the forwarded text under its marker."""
    message = EmailMessage()
    message["From"] = "Trần Thị Bình <binh@example.vn>"
    message["To"] = "baocao@quangninh.gov.vn"
    message["Subject"] = "Fwd: Hạ Long phong tỏa?"
    message["Message-ID"] = "<chuyen-tiep-2@mail.gmail.com>"
    message.set_content(
        "Bài này sai sự thật, nhờ các anh chị xử lý.\n\n"
        "---------- Tin nhắn đã chuyển tiếp ---------\n"
        "Từ: Trang tin Hạ Long 24h <tin@halong24h.example>\n"
        "Date: Th 2, 1 thg 12, 2025 lúc 09:00\n"
        "Subject: Hạ Long phong tỏa toàn thành phố\n"
        "To: <binh@example.vn>\n\n\n"
        "> Tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai,\n"
        f"> xem tại {FACEBOOK_POST}.\n"
    )
    return bytes(message)


def nothing_to_report() -> bytes:
    message = EmailMessage()
    message["From"] = "ai-do@example.vn"
    message["Subject"] = "Fwd:"
    message["Message-ID"] = "<trong@example.vn>"
    message.set_content("\n\n")
    return bytes(message)


def fake_picture() -> bytes:
    """A file named .png that is no picture: kept as an attachment, the report still taken.
    No Message-ID: the message's SHA-256 is its key."""
    message = EmailMessage()
    message["From"] = "Lê Văn Cường <cuong@example.vn>"
    message["Subject"] = "Trang giả cổng dịch vụ công"
    message.set_content("Trang này giả cổng dịch vụ công: https://dichvucong-gov.example/nop-phi\n")
    message.add_attachment(
        b"MZ\x90\x00 this is no picture", maintype="image", subtype="png", filename="anh.png"
    )
    return bytes(message)


@pytest.fixture
def maildir(tmp_path):
    box = mailbox.Maildir(tmp_path / "baocao", create=True)
    sent = {
        "attached": scam_forwarded_as_attachment(),
        "inline": inline_forward_in_vietnamese(),
        "empty": nothing_to_report(),
        "fake_png": fake_picture(),
    }
    keys = {name: box.add(raw) for name, raw in sent.items()}
    keys["inline_again"] = box.add(sent["inline"])  # the same message delivered twice
    return tmp_path / "baocao", sent, keys


def report_from(sender: str) -> Report:
    return Report.objects.get(contact_email=sender)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_each_message_becomes_one_report(default_registry, maildir):
    counts = mail_intake.ingest_maildir(maildir[0])
    assert (counts.taken, counts.repeated, counts.refused) == (3, 1, 1)
    assert Report.objects.count() == 3
    assert set(Report.objects.values_list("intake", flat=True)) == {Intake.MAIL}
    assert not Report.objects.filter(consent=True).exists()
    for report in Report.objects.all():
        assert custody.verify(report.case) == []


def test_a_forward_as_attachment_gives_its_links_text_and_screenshot(default_registry, maildir):
    path, sent, _keys = maildir
    mail_intake.ingest_maildir(path)
    report = report_from("an@example.vn")
    assert report.contact_name == "Nguyễn Văn An"
    assert report.source_key.startswith("mid:")  # its Message-ID with its sender
    assert report.claim.startswith("Tài khoản của quý khách bị tạm khóa\n\nKính gửi quý khách")
    assert "Nhờ kiểm tra" not in report.claim  # the forwarder's note is not the claim
    assert report.seen_at == SEEN
    urls = set(report.links.values_list("url", flat=True))
    assert urls == {SCAM_LINK, SCAM_HREF}  # not the link of the forwarder's signature
    files = {e.kind: e for e in Evidence.objects.filter(report=report)}
    assert set(files) == {EvidenceKind.SCREENSHOT, EvidenceKind.MESSAGE}
    assert files[EvidenceKind.SCREENSHOT].sha256 == sha256(png())
    assert files[EvidenceKind.SCREENSHOT].name == "anh-chup.png"
    message = files[EvidenceKind.MESSAGE]
    assert message.sha256 == sha256(sent["attached"])  # the message kept byte for byte
    assert message.content_type == "message/rfc822" and message.size == len(sent["attached"])
    assert custody.verify(report.case) == []
    entries = report.case.custody.filter(action="evidence_added")
    assert {e.detail["sha256"] for e in entries} == {sha256(png()), sha256(sent["attached"])}


def test_an_inline_forward_in_vietnamese_gives_the_forwarded_text_and_link(
    default_registry, maildir
):
    mail_intake.ingest_maildir(maildir[0])
    report = report_from("binh@example.vn")
    assert report.claim == (
        "Hạ Long phong tỏa toàn thành phố\n\n"
        "Tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai,\n"
        f"xem tại {FACEBOOK_POST}."
    )
    (link,) = report.links.all()
    assert link.url == FACEBOOK_POST
    assert link.platform == "facebook"
    assert link.canonical_url == "https://facebook.com/groups/987/posts/654"
    assert report.case.platform == "facebook"


def test_a_file_named_png_that_is_no_picture_is_kept_apart_and_the_report_taken(
    default_registry, maildir
):
    path, sent, _keys = maildir
    counts = mail_intake.ingest_maildir(path)
    report = report_from("cuong@example.vn")
    assert report.source_key == sha256(sent["fake_png"])  # no Message-ID
    kinds = sorted(Evidence.objects.filter(report=report).values_list("kind", "name"))
    assert kinds == [(EvidenceKind.ATTACHMENT, "anh.png"), (EvidenceKind.MESSAGE, "message.eml")]
    assert any("anh.png" in note for note in counts.notes)
    assert custody.verify(report.case) == []


def test_messages_are_marked_seen_and_what_is_not_a_report_set_aside(default_registry, maildir):
    path, sent, keys = maildir
    mail_intake.ingest_maildir(path)
    assert list((path / "new").iterdir()) == []
    seen = sorted(p.name for p in (path / "cur").iterdir())
    assert len(seen) == 4 and all(name.endswith(":2,S") for name in seen)
    refused = mailbox.Maildir(path, create=False).get_folder("Refused")
    assert [bytes(refused.get_bytes(k)) for k in refused.iterkeys()] == [sent["empty"]]
    assert not refused.get_message(refused.keys()[0]).get_flags()  # unread there
    assert next(iter((path / ".Refused" / "cur").iterdir())).name.startswith(keys["empty"])


def test_a_second_run_takes_nothing_new(default_registry, maildir):
    path = maildir[0]
    mail_intake.ingest_maildir(path)
    again = mail_intake.ingest_maildir(path)
    assert (again.taken, again.repeated, again.refused) == (0, 0, 0)
    assert Report.objects.count() == 3


def test_a_run_stopped_before_marking_a_message_takes_it_once(default_registry, maildir):
    """Killed after a report was stored but before its message was moved: the message is
    still in new/; the next run finds its report by the source key and only marks it."""
    path, sent, _keys = maildir
    mail_intake.ingest_maildir(path)
    (taken,) = [p for p in (path / "cur").iterdir() if p.read_bytes() == sent["attached"]]
    taken.rename(path / "new" / taken.name.partition(":2,")[0])  # as it was before the move
    before = Evidence.objects.count()
    counts = mail_intake.ingest_maildir(path)
    assert (counts.taken, counts.repeated, counts.refused) == (0, 1, 0)
    assert Report.objects.filter(contact_email="an@example.vn").count() == 1
    assert Evidence.objects.count() == before
    assert list((path / "new").iterdir()) == []


def test_a_message_over_the_size_cap_is_set_aside(default_registry, tmp_path, monkeypatch):
    box = mailbox.Maildir(tmp_path / "hop", create=True)
    box.add(inline_forward_in_vietnamese())
    monkeypatch.setattr(mail_intake, "MAX_MESSAGE_BYTES", 200)
    counts = mail_intake.ingest_maildir(tmp_path / "hop")
    assert (counts.taken, counts.refused) == (0, 1)
    assert not Report.objects.exists()
    assert len(list((tmp_path / "hop" / ".Refused" / "cur").iterdir())) == 1


def test_an_automatic_reply_is_set_aside(default_registry, tmp_path):
    message = EmailMessage()
    message["From"] = "vang-mat@example.vn"
    message["Subject"] = "Trả lời tự động: đang nghỉ phép"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("Tôi đang nghỉ phép đến hết tuần, xin liên hệ lại sau.")
    mailbox.Maildir(tmp_path / "hop", create=True).add(bytes(message))
    counts = mail_intake.ingest_maildir(tmp_path / "hop")
    assert (counts.taken, counts.refused) == (0, 1)


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("ingest-maildir")(mail_intake.ingest_maildir_command)
    return app


def test_the_command_prints_the_counts(default_registry, maildir):
    path = maildir[0]
    result = CliRunner().invoke(cli(), ["ingest-maildir", str(path)])
    assert result.exit_code == 0, result.output
    counts = mail_intake.Counts(taken=3, repeated=1, refused=1)
    assert mail_intake.summary(counts, path) in result.output
    assert "anh.png" in result.output


def test_the_command_refuses_a_folder_that_is_not_a_maildir(db, tmp_path):
    result = CliRunner().invoke(cli(), ["ingest-maildir", str(tmp_path)])
    assert result.exit_code == 2
    assert "Maildir" in result.output and "new/, cur/" in result.output


def test_an_html_forward_from_outlook_gives_its_hidden_link_not_the_signature(
    default_registry, tmp_path
):
    message = EmailMessage()
    message["From"] = "Phạm Dũng <dung@example.vn>"
    message["Subject"] = "FW: Thông báo phạt nguội"
    message["Message-ID"] = "<outlook-1@example.vn>"
    message.set_content(
        '<div>Xem giúp<div class="gmail_signature">Dũng <a href="https://dung.example">web</a>'
        "</div><div>-----Original Message-----<br>From: <b>CSGT</b> &lt;x@csgt.example&gt;<br>"
        "Sent: Monday, December 1, 2025 10:00 AM<br>Subject: Phạt nguội xe của bạn<br></div>"
        '<p>Xe của bạn bị phạt nguội, <a href="https://csgt-gov.example/nop-phat">nộp phạt'
        "</a> trong 3 ngày.</p></div>",
        subtype="html",
    )
    mailbox.Maildir(tmp_path / "hop", create=True).add(bytes(message))
    assert mail_intake.ingest_maildir(tmp_path / "hop").taken == 1
    report = Report.objects.get()
    claim = "Phạt nguội xe của bạn\n\nXe của bạn bị phạt nguội, nộp phạt trong 3 ngày."
    assert report.claim == claim
    assert list(report.links.values_list("url", flat=True)) == ["https://csgt-gov.example/nop-phat"]


def test_the_scheduled_task_reads_the_maildir_of_the_setting(default_registry, maildir, settings):
    settings.REPORT_MAILDIR = ""
    assert mail_tasks.ingest_mail.call() == {}
    settings.REPORT_MAILDIR = str(maildir[0])
    assert mail_tasks.ingest_mail.call() == {"taken": 3, "repeated": 1, "refused": 1}
    assert mail_tasks.ingest_mail.call() == {"taken": 0, "repeated": 0, "refused": 0}
    settings.REPORT_MAILDIR = str(maildir[0] / "new")  # not a Maildir: said in the log
    assert mail_tasks.ingest_mail.call() == {}


def test_a_message_attached_in_base64_is_read_too(default_registry, tmp_path):
    scam = (
        "From: x@khuyenmai.example\r\nSubject: =?utf-8?q?Tr=C3=BAng_th=C6=B0=E1=BB=9Fng?=\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Nhận quà tại https://khuyenmai.example/qua ngay hôm nay.\r\n"
    ).encode()
    message = EmailMessage()
    message["From"] = "hoa@example.vn"
    message["Message-ID"] = "<b64@example.vn>"
    message.set_content("Thư lừa đảo.")
    message.add_attachment(scam, maintype="message", subtype="rfc822", filename="thu.eml")
    raw = bytes(message)
    assert b"Content-Transfer-Encoding: base64" in raw
    mailbox.Maildir(tmp_path / "hop", create=True).add(raw)
    assert mail_intake.ingest_maildir(tmp_path / "hop").taken == 1
    report = Report.objects.get()
    claim = "Trúng thưởng\n\nNhận quà tại https://khuyenmai.example/qua ngay hôm nay."
    assert report.claim == claim
    assert list(report.links.values_list("url", flat=True)) == ["https://khuyenmai.example/qua"]


def test_a_message_id_someone_else_used_does_not_hide_a_report(default_registry, tmp_path):
    """A Message-ID is the sender's choice: one sent earlier by someone else under the same
    id is another message, and is taken."""
    box = mailbox.Maildir(tmp_path / "hop-thu", create=True)
    for sender in ("ke-xau@example.vn", "nguoi-dan@example.vn"):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "kiemtra@quangninh.gov.vn"
        message["Subject"] = "Fwd: tin giả"
        message["Message-ID"] = "<trung-ma@example.vn>"
        message.set_content(
            f"Bài đăng giả mạo https://facebook.com/gia-mao/{sender[:3]} mời nhận quà"
        )
        box.add(message)
    counts = mail_intake.ingest_maildir(tmp_path / "hop-thu")
    assert (counts.taken, counts.repeated) == (2, 0)


def test_a_message_built_to_stall_the_parser_is_set_aside_at_once(default_registry, tmp_path):
    box = mailbox.Maildir(tmp_path / "hop-thu", create=True)
    box.add(
        b"From: p@example.org\r\nMessage-ID: <m@x>\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; " + b";" * 200_000 + b" charset=utf-8\r\n\r\n"
        b"https://facebook.com/abc/posts/1\r\n"
    )
    counts = mail_intake.ingest_maildir(tmp_path / "hop-thu")
    assert (counts.taken, counts.refused) == (0, 1)


def test_a_sender_name_in_raw_8_bit_text_does_not_lose_the_report(default_registry, tmp_path):
    box = mailbox.Maildir(tmp_path / "hop-thu", create=True)
    box.add(
        b"From: Nguy\xean V\xe3n A <a@example.org>\r\nMessage-ID: <s9@x>\r\nSubject: ok\r\n\r\n"
        b"Xem bai nay https://facebook.com/abc/posts/9\r\n"
    )
    counts = mail_intake.ingest_maildir(tmp_path / "hop-thu")
    assert counts.taken == 1
    assert Report.objects.get().contact_email == "a@example.org"
