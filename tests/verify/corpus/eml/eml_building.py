"""The pieces every sample message is built from: the fixed date, receiving server and
senders, the Sample record written to eml_cases.jsonl, and the helpers that build a message
with the stdlib email package and serialise it deterministically."""

import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default

DATE = "Mon, 07 Feb 2022 08:30:00 +0700"
RECEIVER = "mx.quangninh.gov.vn"
OFFICIAL = "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>"
STRANGER = "Hỗ trợ khách hàng <hotro@shop-example.com>"


@dataclass
class Sample:
    file: str
    expected: str
    technique: str
    raw: bytes
    reasons: tuple[str, ...] = ()
    lookalike_of: str | None = None
    channel: str | None = None


def message(
    subject: str,
    sender: str,
    *,
    text: str | None = "Kính gửi quý anh chị,\n\nTrân trọng.\n",
    html: str | None = None,
    auth: str | list[str] | None = None,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    for value in [auth] if isinstance(auth, str) else auth or []:
        msg["Authentication-Results"] = value
    msg["From"] = sender
    msg["To"] = "canbo@quangninh.gov.vn"
    msg["Subject"] = subject
    msg["Date"] = DATE
    msg["Message-ID"] = f"<{abs(zlib.crc32(subject.encode()))}@mail.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text or "")
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"==boundary-{number}==")
    return msg.as_bytes(policy=default)


def auth(
    dmarc: str,
    spf: str = "pass",
    dkim: str = "pass",
    domain: str = "quangninh.gov.vn",
    server: str = RECEIVER,
) -> str:
    return (
        f"{server}; spf={spf} (sender IP is 203.0.113.7) smtp.mailfrom={domain}; "
        f"dkim={dkim} header.d={domain}; dmarc={dmarc} (p=QUARANTINE) header.from={domain}"
    )
