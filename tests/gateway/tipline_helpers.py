"""Messages people forward to the tipline, and the tipline wired to a real SMTP server on
loopback (tests/delivery/smtp_server.py), for tests/gateway/test_tipline*.py."""

import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from tests.delivery.smtp_server import site_sending_to

TIPLINE = "kiemtra@quangninh.gov.vn"
PUBLIC_URL = "https://chinhthong.quangninh.gov.vn"
FORWARDER = "an@example.vn"
LOOKALIKE_LINK = "https://dichvucong-quangninh.com/xac-minh?ma=8841"


def scam(sender="UBND tỉnh Quảng Ninh <vanphong@quangninh-gov.vn>", link=LOOKALIKE_LINK):
    """A phishing mail: a look-alike of the province's mail domain, a link to a look-alike of
    the national public service portal."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = FORWARDER
    message["Subject"] = "Thông báo hoàn thuế — xác minh trong 24 giờ"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="quangninh-gov.vn")
    message.set_content(f"Kính gửi ông/bà,\n\nVui lòng xác minh hồ sơ hoàn thuế tại {link}\n")
    return message


def forward_as_attachment(inner: EmailMessage, *, sender=FORWARDER, message_id=None) -> bytes:
    forward = EmailMessage()
    forward["From"] = f"Nguyễn Văn An <{sender}>"
    forward["To"] = TIPLINE
    forward["Subject"] = f"Fwd: {inner['Subject']}"
    forward["Message-ID"] = message_id or make_msgid(domain="example.vn")
    forward.set_content("Nhờ kiểm tra giúp thư này.\n")
    forward.add_attachment(inner)
    return bytes(forward)


def forward_quoted_gmail(*, sender="binh@example.vn") -> bytes:
    """Gmail in Vietnamese: an official sender quoted in the text, a look-alike link."""
    message = EmailMessage()
    message["From"] = f"Trần Thị Bình <{sender}>"
    message["To"] = TIPLINE
    message["Subject"] = "Fwd: Nộp phí hồ sơ đất đai"
    message["Message-ID"] = make_msgid(domain="mail.gmail.com")
    message.set_content(
        "Thư này có thật không ạ?\n\n"
        "---------- Tin nhắn đã chuyển tiếp ---------\n"
        "Từ: Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>\n"
        "Date: Th 2, 1 thg 12, 2025 lúc 09:00\n"
        "Subject: Nộp phí hồ sơ đất đai\n"
        f"To: <{sender}>\n\n\n"
        "> Đề nghị nộp phí hồ sơ trước ngày 10 tại\n"
        f"> {LOOKALIKE_LINK}\n"
    )
    return bytes(message)


def forward_quoted_outlook(*, sender="cuong@example.vn") -> bytes:
    """Outlook in Vietnamese: no marker, a header block under a rule; an official sender
    and nothing else to judge."""
    message = EmailMessage()
    message["From"] = f"Lê Văn Cường <{sender}>"
    message["To"] = TIPLINE
    message["Subject"] = "TR: Họp giao ban"
    message["Message-ID"] = make_msgid(domain="example.vn")
    message.set_content(
        "Nhờ kiểm tra giúp.\n\n"
        "________________________________\n"
        "Từ: Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>\n"
        "Đã gửi: Thứ Hai, 1 tháng 12, 2025 9:00 SA\n"
        f"Đến: {sender}\n"
        "Chủ đề: Họp giao ban\n\n"
        "Kính mời đồng chí dự họp giao ban lúc 14 giờ.\n"
    )
    return bytes(message)


def nothing_forwarded(*, sender="dung@example.vn") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = TIPLINE
    message["Subject"] = "Hỏi"
    message["Message-ID"] = make_msgid(domain="example.vn")
    message.set_content("Làm sao để kiểm tra một thư đáng ngờ?\n")
    return bytes(message)


def add(box_path, *raws: bytes) -> list[str]:
    box = mailbox.Maildir(box_path, create=True)
    return [box.add(raw) for raw in raws]


@pytest.fixture
def maildir(tmp_path):
    path = tmp_path / "kiemtra"
    mailbox.Maildir(path, create=True)
    return path


@pytest.fixture
def mail(settings):
    """A real SMTP server; the site sends to it, the tipline answers from TIPLINE."""
    with site_sending_to(
        settings, mail_from="chinhthong@quangninh.gov.vn", public_url=PUBLIC_URL
    ) as server:
        settings.TIPLINE_ADDRESS = TIPLINE
        settings.TIPLINE_REPLIES_PER_HOUR = 10
        yield server
