"""Typical email messages for bench/email_batch.py, generated from a fixed seed.

``mail_corpus(count)`` gives ``count`` raw RFC 5322 messages of 3 to 100 KB, the sizes drawn
log-uniformly, each as a mail gateway hands it over after delivery:

- kinds: official notices from the registry's mail domains (Vietnamese), work and personal
  mail (Vietnamese or English, Gmail- or Outlook-style HTML), newsletters (table layout, a
  handful of article links, tracking redirects, inline images) and scams (look-alike or
  display-name senders, look-alike and blocklisted links, link texts that show an official
  host);
- headers: 3 to 6 Received fields, DKIM-Signature, Authentication-Results from the province's
  gateway (mx.quangninh.gov.vn; pass mostly, some none, softfail or a forged official sender
  failing DMARC), sometimes an upstream Authentication-Results or ARC set, Message-ID, Date,
  encoded Subject and display names;
- bodies: text/plain and text/html (8bit, quoted-printable or base64), the same links in both;
- attachments on about a third: PDF, DOCX, a ZIP of a PDF, JPEG photos and, now and then, a
  Windows program named ``….pdf.exe``.

Everything is invented (addresses, names, keys, signatures).
"""

import base64
import html
import math
import quopri
import random
import struct
import textwrap
import zipfile
from dataclasses import dataclass, field
from email.header import Header
from io import BytesIO
from urllib.parse import quote

import synthetic

from chinhthong.verify.text import fold

SEED = synthetic.SEED + 25
MIN_BYTES = 3 * 1024
MAX_BYTES = 100 * 1024
GATEWAY = "mx.quangninh.gov.vn"
STORE = "mail.quangninh.gov.vn"
RECIPIENT_DOMAIN = "quangninh.gov.vn"

# kind -> share of messages
KINDS = {"official": 0.25, "work": 0.35, "newsletter": 0.25, "scam": 0.15}

VI_PHRASES = """thực hiện|kế hoạch|ủy ban nhân dân tỉnh|các sở, ban, ngành|cán bộ, công chức|
hồ sơ|thủ tục hành chính|dịch vụ công trực tuyến|theo quy định|đề nghị|khẩn trương|
báo cáo kết quả|trước ngày|tổ chức triển khai|người dân và doanh nghiệp|chuyển đổi số|
trên địa bàn tỉnh|phối hợp|văn bản số|hướng dẫn|tăng cường|công tác|phòng, chống|
lừa đảo trực tuyến|an toàn thông tin|tài khoản định danh điện tử|cơ sở dữ liệu quốc gia về dân cư|
quý cơ quan|đơn vị|nội dung|chi tiết xem tại|thông báo|lịch họp|giấy mời|dự thảo|góp ý|
thời gian|địa điểm|hội trường|tầng 3|trụ sở|liên hệ|điện thoại|phòng hành chính|tổng hợp|
danh sách|đính kèm|sổ tay hướng dẫn|năm 2024|quý II|tháng sáu|đảm bảo|tiến độ|chất lượng|
hiệu quả|ý kiến chỉ đạo|đồng chí|phó chủ tịch|giám đốc sở|văn phòng|cổng thông tin điện tử|
đăng tải|công khai|minh bạch|nhân dân|khen thưởng|nghị định|thông tư|quyết định|chỉ thị|
công điện|mưa bão|phòng chống thiên tai|y tế|bảo hiểm xã hội|giáo dục|đào tạo|khách hàng|
sản phẩm|ưu đãi|đơn hàng|giao hàng|thanh toán|hóa đơn điện tử|mã số thuế|cảm ơn anh chị|
gia đình|cuối tuần|gặp nhau|chuyến đi|của|và|cho|với|các|những|được|đã|sẽ|đang|theo|tại|
về việc|trong|nhằm|để|không|có|này|đó|người|ngày|tháng|năm|việc|làm|kết quả|mới""".replace(
    "\n", ""
).split("|")
EN_WORDS = """the of and to in for on with is are was be this that we you our your please
meeting report project update team schedule attached document review draft comments budget
quarter results customer order delivery invoice payment account service support thanks
regards next week today tomorrow deadline agenda notes follow up discussion plan proposal
contract version final feedback available time call office travel hotel flight conference
training workshop registration confirm details information new product offer price free
members community event news article read more share photos weekend family dinner""".split()
VI_SUBJECTS = [
    "Thông báo về việc {x}",
    "Giấy mời họp {x}",
    "V/v triển khai {x}",
    "Kế hoạch {x}",
    "Báo cáo {x}",
    "Góp ý dự thảo {x}",
    "Re: {x}",
    "Fwd: {x}",
    "Lịch công tác tuần {n}",
    "[Bản tin] {x}",
]
EN_SUBJECTS = ["Re: {x}", "Fwd: {x}", "{x}", "Meeting notes: {x}", "Update on {x}", "[News] {x}"]
SCAM_SUBJECTS = [
    "Thông báo phạt nguội phương tiện {n}",
    "Cập nhật tài khoản định danh điện tử VNeID",
    "Hoàn tiền bảo hiểm xã hội năm 2024",
    "Xác minh hồ sơ dịch vụ công trực tuyến",
    "Tài khoản của bạn sẽ bị khóa trong 24 giờ",
    "Nhận quà tri ân khách hàng",
    "Your mailbox storage is full",
    "Invoice {n} overdue",
]
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE = "Văn Thị Hữu Đức Minh Thanh Ngọc Quang Thu Hoài".split()
GIVEN = """An Bình Chi Dũng Giang Hà Hải Hùng Hương Khánh Lan Linh Long Mai Minh Nam Nga Phong
Phương Quân Sơn Tâm Thảo Trang Tuấn Vy Yến""".split()
EN_NAMES = "John Mary David Sarah Michael Emma Daniel Laura Peter Anna".split()
EN_SURNAMES = "Smith Brown Wilson Taylor Clark Walker Young King Wright Scott".split()
FREEMAIL = "gmail.com gmail.com gmail.com yahoo.com outlook.com hotmail.com icloud.com".split()
COMPANY_MAIL = "fpt.com.vn vnpt.vn viettel.com.vn vietcombank.com.vn bidv.com.vn".split()
# mail domains of the default registry (mail_domain channels), and units under them
OFFICIAL_MAIL = ["quangninh.gov.vn", "chinhphu.vn", "moh.gov.vn", "who.int"]
OFFICIAL_UNITS = "vanphong stttt soyte sotuphap congan ubnd bhxh".split()
OFFICIAL_WEB = """quangninh.gov.vn www.quangninh.gov.vn congchuc.quangninh.gov.vn chinhphu.vn
moh.gov.vn www.who.int dichvucong.gov.vn vneid.gov.vn gplx.gov.vn baohiemxahoi.gov.vn
www.csgt.vn tingia.gov.vn""".split()
ORDINARY_FIXED = """docs.google.com drive.google.com www.youtube.com zalo.me www.facebook.com
github.com www.linkedin.com forms.gle meet.google.com teams.microsoft.com""".split()
SAFELINKS = "https://apc01.safelinks.protection.outlook.com/?url={u}&data=05%7C02%7C{d}&reserved=0"
MAILERS = [
    "Microsoft Outlook 16.0",
    "Mozilla Thunderbird",
    "Zimbra 9.0.0_GA_4546 (ZimbraWebClient - GC120 (Win)/9.0.0_GA_4546)",
    "Apple Mail (2.3731.700.6)",
    "",
]
# A Windows program's first bytes: the DOS header pointing (at 0x3C) to the "PE" signature.
PE_HEAD = b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00\x4c\x01"
FIXED_ZIP_TIME = (2024, 5, 6, 8, 30, 0)


@dataclass
class Sample:
    raw: bytes
    kind: str
    lang: str
    attachments: tuple[str, ...]
    links: int

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass
class _Link:
    href: str
    text: str  # what the HTML shows (the plain part shows the href)
    category: str  # official, lookalike, ordinary, blocklisted


@dataclass
class _Spec:
    kind: str
    lang: str
    headers: list[tuple[str, str]]
    links: list[_Link]
    attachments: list[tuple[str, str, bytes, bool]]  # (name, content type, data, inline)
    style: str  # gmail, outlook, newsletter, plain
    domain: str  # the sender's
    text_encoding: str
    html_encoding: str
    paragraphs: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  # newsletter article titles
    signature: str = ""


# --- words --------------------------------------------------------------------------------------
class _Text:
    def __init__(self, rng: random.Random, lang: str):
        self.rng = rng
        self.lang = lang

    def sentence(self, low: int = 8, high: int = 22) -> str:
        rng = self.rng
        words = rng.choices(VI_PHRASES if self.lang == "vi" else EN_WORDS, k=rng.randint(low, high))
        text = " ".join(words)
        if rng.random() < 0.3:
            cut = rng.randint(2, len(words) - 1)
            text = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
        return text[0].upper() + text[1:] + rng.choice([".", ".", ".", ":", "!"])

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def title(self) -> str:
        text = self.sentence(4, 9).rstrip(".:!")
        return text


def _person(rng: random.Random, lang: str) -> tuple[str, str]:
    """(display name, local part)."""
    if lang == "vi":
        family, middle, given = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        name = f"{family} {middle} {given}"
        local = rng.choice(
            [
                fold(f"{family}{middle}{given}"),
                fold(f"{given}.{family[0]}{middle[0]}"),
                fold(f"{given}{family}") + str(rng.randint(1, 99)),
            ]
        )
    else:
        first, last = rng.choice(EN_NAMES), rng.choice(EN_SURNAMES)
        name = f"{first} {last}"
        local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"])
    return name, local.lower().replace(" ", "")


def _encoded(text: str) -> str:
    if text.isascii():
        return text
    return Header(text, "utf-8").encode(maxlinelen=76)


def _address(name: str, local: str, domain: str) -> str:
    if not name:
        return f"{local}@{domain}"
    shown = _encoded(name)
    if shown == name and any(ch in name for ch in ',.;:"'):
        shown = f'"{name}"'
    return f"{shown} <{local}@{domain}>"


def _token(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


def _fold_b64(value: str, width: int = 72) -> str:
    return "\n\t".join(value[i : i + width] for i in range(0, len(value), width))


# --- headers ------------------------------------------------------------------------------------
def _date(rng: random.Random, seconds: int = 0) -> str:
    day = rng.randint(1, 28)
    month = rng.randint(1, 12)
    hour, minute, second = rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59)
    second = min(59, second + seconds)
    weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][(day + month) % 7]
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return (
        f"{weekday}, {day:2d} {months[month - 1]} 2024 {hour:02d}:{minute:02d}:{second:02d} +0700"
    )


def _ip(rng: random.Random) -> str:
    """An address from ranges that relay mail to Vietnam (Google, Microsoft, VNPT, Viettel,
    FPT); documentation ranges would trip SpamAssassin's RCVD_ILLEGAL_IP on every message."""
    net = rng.choice(["209.85", "40.107", "52.100", "14.160", "113.161", "27.72", "118.69"])
    return f"{net}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _received(rng: random.Random, domain: str, recipient: str, date: str) -> list[str]:
    """Received fields, newest first: the mail store, the gateway, then the sender's relays."""
    queue = "".join(rng.choices("0123456789ABCDEF", k=10))
    relay = f"mail{rng.randint(1, 40)}.{domain}"
    fields = [
        f"from {GATEWAY} (localhost [127.0.0.1])\n\tby {STORE} (Postfix) with ESMTP id "
        f"{queue}\n\tfor <{recipient}>; {date}",
        f"from {relay} ({relay} [{_ip(rng)}])\n\t(using TLSv1.3 with cipher "
        f"TLS_AES_256_GCM_SHA384 (256/256 bits)\n\tkey-exchange X25519 server-signature "
        f"RSA-PSS (2048 bits))\n\t(No client certificate requested)\n\tby {GATEWAY} (Postfix) "
        f"with ESMTPS id {queue[::-1]}\n\tfor <{recipient}>; {date}",
    ]
    for hop in range(rng.randint(1, 4)):
        inner = f"smtp{hop}.{domain}"
        fields.append(
            f"from {inner} ([{_ip(rng)}])\n\tby {relay} with ESMTPSA id "
            f"{''.join(rng.choices('abcdefghijklmnopqrstuvwxyz0123456789', k=16))}\n\t"
            f"(version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n\t{date}"
        )
    return fields


def _dkim(rng: random.Random, domain: str) -> str:
    return (
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\n\t"
        f"s={rng.choice(['default', 'mail', 's1', '20230601', 'selector1'])}; "
        f"t={rng.randint(1_700_000_000, 1_730_000_000)};\n\t"
        "h=from:to:subject:date:message-id:mime-version:content-type;\n\t"
        f"bh={_token(rng, 32)};\n\tb={_fold_b64(_token(rng, 256))}"
    )


def _auth_results(rng: random.Random, domain: str, dkim: str, spf: str, dmarc: str) -> str:
    parts = [GATEWAY]
    if rng.random() < 0.5:
        parts[0] += ";\n\tdkim=" + dkim + f" (2048-bit key; unprotected) header.d={domain}"
        parts[0] += f" header.i=@{domain} header.b={_token(rng, 6)[:8]}"
    else:
        parts[0] += f"; dkim={dkim} header.d={domain}"
    parts.append(
        f"spf={spf} (sender IP is {_ip(rng)}) smtp.mailfrom={domain} smtp.helo=mail.{domain}"
    )
    parts.append(
        f"dmarc={dmarc} (p={rng.choice(['NONE', 'QUARANTINE', 'REJECT'])}) header.from={domain}"
    )
    return ";\n\t".join(parts)


# --- links --------------------------------------------------------------------------------------
class _Links:
    def __init__(self, rng: random.Random, lookalikes: synthetic.Lookalikes, blocked: list[str]):
        self.rng = rng
        self.words = synthetic.Words(rng)
        self.lookalikes = lookalikes
        self.blocked = blocked
        self.legit = synthetic.legit_domains()

    def official(self) -> str:
        rng = self.rng
        host = rng.choice(OFFICIAL_WEB)
        template = rng.choice(synthetic.GOV_PATHS)
        tail = (
            str(rng.randint(1, 99999))
            if template.endswith("=")
            else f"{self.words.slug()}-{rng.randint(1, 99999)}.html"
        )
        return f"https://{host}/{template}{tail}" if rng.random() < 0.85 else f"https://{host}/"

    def lookalike(self) -> str:
        rng = self.rng
        technique = rng.choices(list(synthetic.TECHNIQUES), list(synthetic.TECHNIQUES.values()))[0]
        host = self.lookalikes.make(technique)
        path = rng.choice(synthetic.PHISH_PATHS)
        if rng.random() < 0.4:
            path += f"?id={rng.randint(1, 99999)}"
        return f"{rng.choice(['https', 'http'])}://{host}/{path}"

    def ordinary(self, domain: str | None = None) -> str:
        rng = self.rng
        roll = rng.random()
        if domain is None and roll < 0.35:
            host = rng.choice(ORDINARY_FIXED)
            return f"https://{host}/{rng.choice(['d/', 'watch?v=', 'forms/d/e/', 'p/'])}" + (
                _token(rng, 9).replace("/", "_").replace("+", "-")
            )
        host = domain or rng.choice(
            [
                rng.choice(self.legit),
                f"www.{rng.choice(self.legit)}",
                self.words.random_label() + "." + rng.choice(["com", "vn", "com.vn", "net"]),
            ]
        )
        template = rng.choice(synthetic.WEB_PATHS)
        tail = str(rng.randint(1, 9999)) if template.endswith("=") else self.words.slug()
        return f"https://{host}/{template}{tail}"

    def blocklisted(self) -> str:
        return self.rng.choice(self.blocked)

    def tracked(self, domain: str, target: str) -> str:
        return (
            f"https://click.{domain}/ls/click?upn={_token(self.rng, 24).replace('/', '_')}"
            f"&u={quote(target, safe='')}"
        )


# --- attachments --------------------------------------------------------------------------------
def _pdf(rng: random.Random, size: int) -> bytes:
    head = (
        b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page "
        b"/Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
    )
    stream = rng.randbytes(max(256, size - 400))
    body = (
        head
        + b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\n"
    )
    return body + b"xref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\n%%EOF\n"


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


def _docx(rng: random.Random, size: int, text: _Text) -> bytes:
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{html.escape(text.paragraph())}</w:t></w:r></w:p>" for _ in range(8)
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f"{paragraphs}</w:body></w:document>"
    ).encode()
    members = [
        (
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
            zipfile.ZIP_DEFLATED,
        ),
        (
            "_rels/.rels",
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"/>',
            zipfile.ZIP_DEFLATED,
        ),
        ("word/document.xml", document, zipfile.ZIP_DEFLATED),
        ("docProps/core.xml", b"<cp:coreProperties/>", zipfile.ZIP_DEFLATED),
    ]
    image = b"\x89PNG\r\n\x1a\n" + rng.randbytes(max(64, size - 2500))
    members.append(("word/media/image1.png", image, zipfile.ZIP_STORED))
    return _zip(members)


def _jpeg(rng: random.Random, size: int) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + rng.randbytes(max(64, size - 20))


def _exe(rng: random.Random, size: int) -> bytes:
    return PE_HEAD + b"\x00" * 250 + rng.randbytes(max(256, size - 320))


# --- MIME ---------------------------------------------------------------------------------------
def _encode(data: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        return quopri.encodestring(data)
    return data if data.endswith(b"\n") else data + b"\n"


def _leaf(headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return head.encode() + b"\n" + body


def _multipart(subtype: str, parts: list[bytes], boundary: str) -> tuple[str, bytes]:
    body = b"".join(b"--" + boundary.encode() + b"\n" + part + b"\n" for part in parts)
    body += b"--" + boundary.encode() + b"--\n"
    return f'multipart/{subtype};\n\tboundary="{boundary}"', body


def _filename_params(name: str) -> tuple[str, str]:
    if name.isascii():
        return f'name="{name}"', f'filename="{name}"'
    encoded = quote(name.encode(), safe="")
    return f"name*=utf-8''{encoded}", f"filename*=utf-8''{encoded}"


# --- bodies -------------------------------------------------------------------------------------
OUTLOOK_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}
@font-face
	{font-family:"Times New Roman";
	panose-1:2 2 6 3 5 4 5 2 3 4;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0in;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
a:link, span.MsoHyperlink
	{mso-style-priority:99;
	color:#0563C1;
	text-decoration:underline;}
span.EmailStyle17
	{mso-style-type:personal-compose;
	font-family:"Calibri",sans-serif;
	color:windowtext;}
.MsoChpDefault
	{mso-style-type:export-only;
	font-family:"Calibri",sans-serif;}
@page WordSection1
	{size:8.5in 11.0in;
	margin:1.0in 1.0in 1.0in 1.0in;}
div.WordSection1
	{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->
</head>
<body lang="EN-US" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
"""
NEWSLETTER_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<title>{title}</title>
<style type="text/css">
body{{margin:0;padding:0;background:#f2f4f6;font-family:Arial,Helvetica,sans-serif}}
table{{border-collapse:collapse}} img{{border:0;display:block;outline:none}}
.wrapper{{width:100%;background:#f2f4f6}} .content{{width:600px;background:#ffffff}}
.title a{{color:#1a1a1a;text-decoration:none;font-size:18px;font-weight:bold}}
.excerpt{{color:#555555;font-size:14px;line-height:21px}}
.btn a{{background:#c8102e;color:#ffffff;padding:8px 16px;border-radius:4px}}
@media only screen and (max-width:620px){{.content{{width:100%!important}}}}
</style></head>
<body><table class="wrapper" role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td align="center"><table class="content" role="presentation" width="600" cellpadding="0" cellspacing="0">
<tr><td style="padding:16px 24px"><img src="cid:logo@{domain}" width="160" height="40" alt="{domain}" /></td></tr>
"""


def _wrap(text: str) -> str:
    """Lines of at most 76 characters, as mail programs write text/plain (links unbroken)."""
    return textwrap.fill(text, 76, break_long_words=False, break_on_hyphens=False)


def _html_link(link: _Link) -> str:
    return f'<a href="{html.escape(link.href)}">{html.escape(link.text)}</a>'


def _bodies(spec: _Spec, count: int) -> tuple[str, str]:
    """(text/plain, text/html) with ``count`` paragraphs; every link goes after the paragraph
    of its index (the last links after the last paragraph)."""
    plain: list[str] = []
    markup: list[str] = []
    links = spec.links
    per_paragraph: list[list[_Link]] = [[] for _ in range(count)]
    for index, link in enumerate(links):
        per_paragraph[min(index, count - 1)].append(link)
    if spec.style == "newsletter":
        domain = spec.domain
        markup.append(NEWSLETTER_HEAD.format(title=html.escape(spec.articles[0]), domain=domain))
        for index in range(count):
            title = spec.articles[index % len(spec.articles)]
            excerpt = spec.paragraphs[index]
            article = per_paragraph[index]
            plain.append(title.upper())
            plain.append(_wrap(excerpt))
            cells = [
                f'<tr><td class="title" style="padding:12px 24px 4px">'
                f"{_html_link(_Link(article[0].href, title, '')) if article else html.escape(title)}"
                "</td></tr>",
                f'<tr><td class="excerpt" style="padding:0 24px 12px">{html.escape(excerpt)}'
                "</td></tr>",
            ]
            for link in article:
                plain.append(f"{link.text}: {link.href}")
            for link in article[1:]:
                cells.append(
                    f'<tr><td class="btn" style="padding:0 24px 16px">{_html_link(link)}</td></tr>'
                )
            markup.extend(cells)
            plain.append("")
        markup.append(
            '<tr><td style="padding:24px;color:#999999;font-size:12px">'
            f"{html.escape(spec.signature)}</td></tr></table></td></tr></table></body></html>"
        )
        return "\n".join(plain), "\n".join(markup)
    if spec.style == "outlook":
        markup.append(OUTLOOK_HEAD)
        wrap = '<p class="MsoNormal"><span lang="VI" style="font-size:12.0pt">{}</span></p>\n'
        wrap += '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
    else:
        markup.append('<div dir="ltr">')
        wrap = "<div>{}</div><div><br></div>"
    for index in range(count):
        paragraph = spec.paragraphs[index]
        plain.append(_wrap(paragraph))
        shown = html.escape(paragraph)
        for link in per_paragraph[index]:
            plain.append(f"{link.text}: {link.href}" if link.text != link.href else link.href)
            shown += " " + _html_link(link)
        markup.append(wrap.format(shown))
        plain.append("")
    plain.append("-- ")
    plain.append(spec.signature)
    signature = html.escape(spec.signature).replace("\n", "<br>")
    if spec.style == "outlook":
        markup.append(f'<p class="MsoNormal">{signature}</p></div></body></html>')
    else:
        markup.append(f"<div>-- <br>{signature}</div></div>")
    return "\n".join(plain), "\n".join(markup)


def _render(spec: _Spec, count: int, boundary_seed: int) -> bytes:
    text, markup = _bodies(spec, count)
    text_part = _leaf(
        [
            ("Content-Type", 'text/plain; charset="UTF-8"'),
            ("Content-Transfer-Encoding", spec.text_encoding),
        ],
        _encode(text.encode(), spec.text_encoding),
    )
    boundaries = iter(
        f"{prefix}{boundary_seed:08x}{n}" for n, prefix in enumerate(["000000000000", "_b"] * 3)
    )
    if spec.style == "plain":
        top_type, top_body = None, text_part
    else:
        html_part = _leaf(
            [
                ("Content-Type", 'text/html; charset="UTF-8"'),
                ("Content-Transfer-Encoding", spec.html_encoding),
            ],
            _encode(markup.encode(), spec.html_encoding),
        )
        top_type, top_body = _multipart("alternative", [text_part, html_part], next(boundaries))
    inline = [a for a in spec.attachments if a[3]]
    attached = [a for a in spec.attachments if not a[3]]
    if inline:
        parts = [_leaf([("Content-Type", top_type)], top_body)]
        for name, content_type, data, _ in inline:
            parts.append(
                _leaf(
                    [
                        ("Content-Type", f'{content_type}; name="{name}"'),
                        ("Content-Transfer-Encoding", "base64"),
                        ("Content-ID", f"<{name.split('.')[0]}>"),
                        ("Content-Disposition", f'inline; filename="{name}"'),
                    ],
                    base64.encodebytes(data),
                )
            )
        top_type, top_body = _multipart("related", parts, next(boundaries))
    if attached:
        first = top_body if top_type is None else _leaf([("Content-Type", top_type)], top_body)
        parts = [first]
        for name, content_type, data, _ in attached:
            name_param, filename_param = _filename_params(name)
            parts.append(
                _leaf(
                    [
                        ("Content-Type", f"{content_type};\n\t{name_param}"),
                        ("Content-Disposition", f"attachment;\n\t{filename_param}"),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    base64.encodebytes(data),
                )
            )
        top_type, top_body = _multipart("mixed", parts, next(boundaries))
    head = "".join(f"{name}: {value}\n" for name, value in spec.headers)
    head += "MIME-Version: 1.0\n"
    if top_type is None:
        return head.encode() + top_body
    return head.encode() + f"Content-Type: {top_type}\n\n".encode() + top_body


# --- messages -----------------------------------------------------------------------------------
class _Generator:
    def __init__(self, seed: int):
        self.seed = seed
        document = synthetic.load_default_registry()
        self.brands = synthetic.brands(document)
        blocked = []
        blocklist = synthetic.ROOT / "tests/verify/corpus/blocklist.txt"
        for line in blocklist.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                blocked.append(line if "://" in line else f"http://{line}/dang-nhap")
        self.blocked = blocked

    def message(self, number: int) -> Sample:
        rng = random.Random(self.seed * 1_000_003 + number)
        kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
        lang = {
            "official": "vi",
            "work": "vi" if rng.random() < 0.7 else "en",
            "newsletter": "vi" if rng.random() < 0.6 else "en",
            "scam": "vi" if rng.random() < 0.85 else "en",
        }[kind]
        words = _Text(rng, lang)
        links = _Links(rng, synthetic.Lookalikes(self.brands, rng), self.blocked)
        target = math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES)))
        spec = getattr(self, f"_{kind}")(rng, words, links, lang)
        self._attachments(rng, spec, words, target)
        # paragraphs grow until the message reaches its target size
        boundary_seed = rng.getrandbits(32)

        def render(count: int) -> bytes:
            while len(spec.paragraphs) < count:
                spec.paragraphs.append(words.paragraph())
            return _render(spec, count, boundary_seed)

        one, four = len(render(1)), len(render(4))
        step = max(1.0, (four - one) / 3)
        count = max(1, min(400, 1 + round((target - one) / step)))
        raw = render(count)
        while len(raw) > MAX_BYTES and count > 1:
            count = max(1, count - max(1, (len(raw) - MAX_BYTES) // int(step) + 1))
            raw = render(count)
        return Sample(
            raw,
            kind,
            lang,
            tuple(
                a[0].rsplit(".", 1)[-1].lower() if not a[3] else "inline" for a in spec.attachments
            ),
            len(spec.links),
        )

    # --- kinds ---
    def _headers(
        self,
        rng: random.Random,
        sender: str,
        domain: str,
        subject: str,
        auth: tuple[str, str, str] | None,
        extra: list[tuple[str, str]] = (),
    ) -> list[tuple[str, str]]:
        """Header fields as a gateway delivers them, newest trace fields first."""
        recipient = f"{fold(rng.choice(GIVEN)).lower()}{rng.randint(1, 99)}@{RECIPIENT_DOMAIN}"
        date = _date(rng)
        fields: list[tuple[str, str]] = []
        fields.append(("Return-Path", f"<bounce-{rng.randint(1000, 99999)}@{domain}>"))
        fields.append(("Delivered-To", recipient))
        received = _received(rng, domain, recipient, date)
        fields.append(("Received", received[0]))
        if auth is not None:
            fields.append(("Authentication-Results", _auth_results(rng, domain, *auth)))
            if rng.random() < 0.15:  # an upstream server's view, ignored by the verifier
                fields.append(
                    (
                        "Authentication-Results",
                        f"mx.google.com;\n\tspf=pass smtp.mailfrom={domain};\n\tdkim=pass "
                        f"header.d={domain}",
                    )
                )
        fields.extend(("Received", value) for value in received[1:])
        if rng.random() < 0.2:
            fields.append(
                (
                    "ARC-Seal",
                    f"i=1; a=rsa-sha256; t=1717000000; cv=none; d={domain};"
                    f"\n\ts=arc; b={_fold_b64(_token(rng, 128))}",
                )
            )
            fields.append(
                ("ARC-Authentication-Results", f"i=1; mx.{domain}; spf=pass smtp.mailfrom={domain}")
            )
        if rng.random() < 0.85:
            fields.append(("DKIM-Signature", _dkim(rng, domain)))
        fields.append(("From", sender))
        fields.append(("To", recipient))
        if rng.random() < 0.3:
            name, local = _person(rng, "vi")
            fields.append(("Cc", _address(name, local, RECIPIENT_DOMAIN)))
        fields.append(("Subject", _encoded(subject)))
        fields.append(("Date", date))
        fields.append(
            ("Message-ID", f"<{_token(rng, 15).replace('/', '_').replace('+', '-')}@{domain}>")
        )
        mailer = rng.choice(MAILERS)
        if mailer:
            fields.append(("X-Mailer", mailer))
        fields.extend(extra)
        return fields

    @staticmethod
    def _subject(rng: random.Random, words: _Text, lang: str) -> str:
        template = rng.choice(VI_SUBJECTS if lang == "vi" else EN_SUBJECTS)
        return template.format(x=words.title().lower(), n=rng.randint(10, 52))

    @staticmethod
    def _encodings(rng: random.Random) -> tuple[str, str]:
        text = rng.choices(["base64", "quoted-printable", "8bit"], [0.45, 0.35, 0.2])[0]
        markup = rng.choices(["quoted-printable", "base64"], [0.6, 0.4])[0]
        return text, markup

    def _official(self, rng, words, links, lang) -> _Spec:
        domain = rng.choice(OFFICIAL_MAIL[:3] * 3 + OFFICIAL_MAIL)
        if domain == "quangninh.gov.vn" and rng.random() < 0.4:
            domain = f"{rng.choice(OFFICIAL_UNITS)}.{domain}"
        unit = rng.choice(
            [
                "Văn phòng UBND tỉnh",
                "Sở Thông tin và Truyền thông",
                "Bộ Y tế",
                "Văn phòng Chính phủ",
                "Phòng Hành chính - Tổng hợp",
            ]
        )
        sender = _address(
            unit, rng.choice(["vanphong", "tonghop", "hanhchinh", "thongbao"]), domain
        )
        roll = rng.random()
        auth = (
            ("pass", "pass", "pass")
            if roll < 0.9
            else ("fail", "fail", "fail")  # forged: the gateway's DMARC check failed
            if roll < 0.95
            else None
        )
        items = [_Link(links.official(), "", "official") for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            items.append(_Link(links.ordinary(), "", "ordinary"))
        for link in items:
            link.text = rng.choice([link.href, "Xem chi tiết", "tại đây", link.href.split("/")[2]])
        if rng.random() < 0.1:
            items[0].href = SAFELINKS.format(
                u=quote(items[0].href, safe=""), d=_token(rng, 30).replace("/", "%2F")
            )
        text, markup = self._encodings(rng)
        return _Spec(
            "official",
            lang,
            self._headers(rng, sender, domain, self._subject(rng, words, lang), auth),
            items,
            [],
            rng.choice(["outlook", "gmail", "gmail"]),
            domain,
            text,
            markup,
            signature=f"{unit}\nĐịa chỉ: Phường Hồng Hà, TP. Hạ Long, Quảng Ninh\nĐT: 0203.3835.xxx",
        )

    def _work(self, rng, words, links, lang) -> _Spec:
        name, local = _person(rng, lang)
        domain = rng.choice(FREEMAIL + COMPANY_MAIL + [rng.choice(links.legit)])
        sender = _address(name, local, domain)
        auth = rng.choices(
            [
                ("pass", "pass", "pass"),
                ("none", "pass", "none"),
                ("pass", "softfail", "pass"),
                None,
            ],
            [0.75, 0.1, 0.05, 0.1],
        )[0]
        items = []
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            roll = rng.random()
            if roll < 0.75:
                items.append(_Link(links.ordinary(), "", "ordinary"))
            else:
                items.append(_Link(links.official(), "", "official"))
        for link in items:
            link.text = link.href if rng.random() < 0.7 else words.title()
        text, markup = self._encodings(rng)
        style = rng.choices(["gmail", "outlook", "plain"], [0.5, 0.35, 0.15])[0]
        return _Spec(
            "work",
            lang,
            self._headers(rng, sender, domain, self._subject(rng, words, lang), auth),
            items,
            [],
            style,
            domain,
            text,
            markup,
            signature=f"{name}\n{domain}",
        )

    def _newsletter(self, rng, words, links, lang) -> _Spec:
        domain = rng.choice(links.legit)
        brand = domain.split(".")[0].capitalize()
        sender = _address(
            f"{brand} {'Bản tin' if lang == 'vi' else 'Newsletter'}",
            rng.choice(["newsletter", "no-reply", "tintuc", "news"]),
            domain,
        )
        items = []
        for _ in range(rng.randint(4, 9)):
            target = links.ordinary(domain=rng.choice([domain, f"www.{domain}"]))
            href = links.tracked(domain, target) if rng.random() < 0.4 else target
            items.append(_Link(href, "Đọc tiếp" if lang == "vi" else "Read more", "ordinary"))
        if rng.random() < 0.3:
            items.insert(rng.randint(0, len(items)), _Link(links.official(), "", "official"))
        for social in ("www.facebook.com", "www.youtube.com"):
            items.append(_Link(f"https://{social}/{brand.lower()}", social, "ordinary"))
        items.append(
            _Link(
                f"https://{domain}/unsubscribe?e={_token(rng, 12)}",
                "Hủy đăng ký" if lang == "vi" else "Unsubscribe",
                "ordinary",
            )
        )
        for link in items:
            link.text = link.text or link.href
        text, markup = self._encodings(rng)
        headers = self._headers(
            rng,
            sender,
            domain,
            self._subject(rng, words, lang),
            ("pass", "pass", "pass"),
            extra=[
                ("List-Unsubscribe", f"<https://{domain}/unsubscribe>, <mailto:unsub@{domain}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Precedence", "bulk"),
                ("Feedback-ID", f"{rng.randint(1, 999)}:{rng.randint(1, 99999)}:newsletter"),
            ],
        )
        spec = _Spec(
            "newsletter",
            lang,
            headers,
            items,
            [],
            "newsletter",
            domain,
            text,
            markup,
            articles=[words.title() for _ in range(12)],
            signature=f"© 2024 {brand}. {domain}",
        )
        spec.attachments.append(
            (
                "logo.png",
                "image/png",
                b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(800, 3000)),
                True,
            )
        )
        return spec

    def _scam(self, rng, words, links, lang) -> _Spec:
        roll = rng.random()
        official_shown = rng.choice(
            [
                "Cổng Dịch vụ công Quốc gia",
                "Bảo hiểm xã hội Việt Nam",
                "Cục Cảnh sát giao thông",
                "Bộ Công an",
                "VNeID",
            ]
        )
        if roll < 0.4:  # a look-alike domain of its own, authenticated
            host = links.lookalikes.make(rng.choice(["combosquat", "suffix_swap", "typosquat"]))
            domain = host.removeprefix("www.").removeprefix("m.")
            if not domain.isascii():
                domain = domain.encode("idna").decode()
            auth = ("pass", "pass", rng.choice(["pass", "none"]))
        elif roll < 0.55:  # a forged official From, failing DMARC at the gateway
            domain = rng.choice(OFFICIAL_MAIL[:3])
            auth = ("none", "fail", "fail")
        else:  # a free mail account with an official display name
            domain = rng.choice(FREEMAIL)
            auth = ("pass", "pass", "pass")
        local = rng.choice(["hotro", "thongbao", "no-reply", "cskh", "admin", "support"])
        sender = _address(official_shown, local, domain)
        subject = rng.choice(SCAM_SUBJECTS).format(n=rng.randint(10_000, 99_999))
        items = []
        for _ in range(rng.randint(1, 3)):
            href = links.lookalike() if rng.random() < 0.75 else links.blocklisted()
            shown = rng.choice(OFFICIAL_WEB)
            text = rng.choice([f"https://{shown}/", "Tra cứu ngay", "Xác minh tại đây", shown])
            items.append(_Link(href, text, "lookalike"))
        if rng.random() < 0.5:
            items.append(_Link(links.official(), "", "official"))
            items[-1].text = items[-1].href
        text, markup = self._encodings(rng)
        extra = []
        if rng.random() < 0.3:
            extra.append(("Reply-To", f"{local}{rng.randint(1, 999)}@{rng.choice(FREEMAIL)}"))
        return _Spec(
            "scam",
            lang,
            self._headers(rng, sender, domain, subject, auth, extra),
            items,
            [],
            rng.choice(["gmail", "outlook"]),
            domain,
            text,
            markup,
            signature=official_shown,
        )

    def _attachments(self, rng, spec: _Spec, words: _Text, target: float) -> None:
        """About a third of the messages carry files, sized to fit the target."""
        chance = {"official": 0.55, "work": 0.35, "newsletter": 0.0, "scam": 0.3}[spec.kind]
        if target < 6 * 1024 or rng.random() >= chance:
            return
        budget = int((target - 4500) * rng.uniform(0.4, 0.8) / 1.37)
        if budget < 1500:
            return
        if spec.kind == "scam":
            choice = rng.choices(["exe", "zip", "pdf"], [0.35, 0.35, 0.3])[0]
        elif spec.kind == "official":
            choice = rng.choices(["pdf", "docx", "zip", "pdf+docx"], [0.5, 0.25, 0.1, 0.15])[0]
        else:
            choice = rng.choices(["pdf", "docx", "jpg", "zip"], [0.35, 0.25, 0.3, 0.1])[0]
        vi_names = ["Công văn số {n}.pdf", "CV_{n}_UBND.pdf", "ke-hoach-{n}.pdf", "BaoCao{n}.pdf"]
        number = rng.randint(100, 9999)
        if choice in ("pdf", "pdf+docx"):
            share = budget // 2 if choice == "pdf+docx" else budget
            name = rng.choice(vi_names).format(n=number)
            spec.attachments.append((name, "application/pdf", _pdf(rng, share), False))
        if choice in ("docx", "pdf+docx"):
            share = budget // 2 if choice == "pdf+docx" else budget
            spec.attachments.append(
                (
                    f"Du thao {number}.docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    _docx(rng, share, words),
                    False,
                )
            )
        if choice == "zip":
            pdf = _pdf(rng, budget - 200)
            spec.attachments.append(
                (
                    f"HoSo_{number}.zip",
                    "application/zip",
                    _zip([(f"HoSo_{number}.pdf", pdf, zipfile.ZIP_DEFLATED)]),
                    False,
                )
            )
        if choice == "jpg":
            spec.attachments.append((f"IMG_{number}.jpg", "image/jpeg", _jpeg(rng, budget), False))
        if choice == "exe":
            spec.attachments.append(
                (
                    f"ThongBao_PhatNguoi_{number}.pdf.exe",
                    "application/octet-stream",
                    _exe(rng, budget),
                    False,
                )
            )


def mail_corpus(count: int, seed: int = SEED) -> list[Sample]:
    """``count`` messages; message ``i`` depends only on the seed and ``i``."""
    generator = _Generator(seed)
    return [generator.message(number) for number in range(count)]
