"""Writes the sample messages of tests/verify/corpus/eml/ and their expectations in
tests/verify/corpus/eml_cases.jsonl.

Run `python tests/verify/corpus/eml/make_samples.py` after changing a sample; the output is
deterministic (fixed dates, message ids and MIME boundaries) so regenerated files diff cleanly,
except the 7z archives, which carry their write time and, when encrypted, a random IV.
Every message is built with the stdlib email package; the few attachments the standard library
cannot write (an OLE document with a VBA project, RAR archives) are assembled byte by byte here.
"""

import base64
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE.parent / "eml_cases.jsonl"
DATE = "Mon, 07 Feb 2022 08:30:00 +0700"
RECEIVER = "mx.quangninh.gov.vn"
# A Windows program's first bytes: the DOS header pointing (at 0x3C) to the "PE" signature.
PE = b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00\x4c\x01" + b"\x00" * 250
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


# --- attachments the standard library cannot write ------------------------------------------
def ole_with_vba() -> bytes:
    """A Compound File (OLE2, version 3) holding a Word-style VBA project: Macros/PROJECT,
    Macros/VBA/dir and Macros/VBA/_VBA_PROJECT, each stream 4 KB so no mini stream is needed."""
    sector = 512
    streams = {
        "WordDocument": b"\xec\xa5" + b"\x00" * 4094,
        "PROJECT": (
            b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000\r\n'
        ).ljust(4096, b"\x00"),
        "dir": (b"\x01" + b'Attribut\x00e VB_Name = "ThisDocument"').ljust(4096, b"\x00"),
        "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00".ljust(4096, b"\x00"),
    }
    # id, name, type (5 root, 1 storage, 2 stream), left, right, child
    none = 0xFFFFFFFF
    entries = [
        (0, "Root Entry", 5, none, none, 1),
        (1, "WordDocument", 2, none, 2, none),
        (2, "Macros", 1, none, none, 3),
        (3, "PROJECT", 2, none, 4, none),
        (4, "VBA", 1, none, none, 5),
        (5, "dir", 2, none, 6, none),
        (6, "_VBA_PROJECT", 2, none, none, none),
    ]
    dir_sectors = (len(entries) * 128 + sector - 1) // sector
    first_data = 1 + dir_sectors
    fat = [0xFFFFFFFD] + [i + 2 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    starts, data = {}, b""
    for name, content in streams.items():
        count = len(content) // sector
        starts[name] = first_data + len(data) // sector
        fat += [starts[name] + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
        data += content
    fat += [0xFFFFFFFF] * (128 - len(fat))
    directory = b""
    for _id, name, kind, left, right, child in entries:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        start = starts.get(name, 0xFFFFFFFE)
        size = len(streams[name]) if name in streams else 0
        directory += (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )
    directory = directory.ljust(dir_sectors * sector, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([0xFFFFFFFF] * 108))
    )
    return header + struct.pack("<128I", *fat) + directory + data


def rar4(members: list[tuple[str, bytes]], encrypted: bool = False, method: int = 0x30) -> bytes:
    """A RAR 4 archive with stored (uncompressed) members; header CRCs as unrar checks them.
    Another ``method`` (0x33, "normal") marks the members compressed without compressing them:
    what only unrar could open, and even it would find damaged."""

    def block(kind: int, flags: int, body: bytes) -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, content in members:
        encoded = name.encode("ascii")
        flags = 0x8000 | (0x04 if encrypted else 0)
        body = (
            struct.pack(
                "<IIBIIBBHI",
                len(content),
                len(content),
                2,
                zlib.crc32(content),
                0x54473A00,
                29,
                method,
                len(encoded),
                0x20,
            )
            + encoded
        )
        out += block(0x74, flags, body) + content
    return out + block(0x7B, 0, b"")


def zip_of(members: list[tuple[str, bytes]], encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2022, 2, 7, 8, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    data = bytearray(buffer.getvalue())
    if encrypted:
        # zipfile cannot encrypt; setting the flag bit is what a scanner sees in the listing.
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= 0x1
                at = data.find(signature, at + 4)
    return bytes(data)


def seven_zip(members: list[tuple[str, bytes]], password: str | None = None) -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password, header_encryption=bool(password)) as a:
        for name, content in members:
            a.writestr(content, name)
    return buffer.getvalue()


def iso_image() -> bytes:
    image = bytearray(0x8800)
    image[0x8000:0x8006] = b"\x01CD001"
    return bytes(image)


LNK = b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F" + b"\x00" * 60


# --- the samples -------------------------------------------------------------------------------
def samples() -> list[Sample]:
    official = "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>"
    stranger = "Hỗ trợ khách hàng <hotro@shop-example.com>"
    out = [
        Sample(
            "official_bulletin.eml",
            "official",
            "official_sender",
            to_bytes(
                message(
                    "Thông báo lịch tiếp công dân",
                    official,
                    auth=auth("pass"),
                    text="Xem chi tiết tại https://congchuc.quangninh.gov.vn/thong-bao/123\n",
                    html='<p>Xem chi tiết tại <a href="https://congchuc.quangninh.gov.vn/thong-bao/123">'
                    "congchuc.quangninh.gov.vn</a></p>",
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(  # an official From line that no receiving server confirmed proves nothing
            "official_no_auth_results.eml",
            "unknown",
            "official_no_auth",
            to_bytes(message("Khuyến cáo phòng bệnh", "Bộ Y tế <truyenthong@moh.gov.vn>")),
            ("unauthenticated_sender",),
        ),
        Sample(
            "official_subdomain_sender.eml",
            "official",
            "official_subdomain_sender",
            to_bytes(
                message(
                    "Giấy mời họp",
                    "Sở TTTT <vanthu@stttt.quangninh.gov.vn>",
                    auth=auth("pass", domain="stttt.quangninh.gov.vn"),
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "official_safelinks.eml",
            "official",
            "redirect_wrapper",
            to_bytes(
                message(
                    "Cổng thông tin",
                    official,
                    auth=auth("pass"),
                    html='<a href="https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F'
                    'www.quangninh.gov.vn%2F&amp;data=05">www.quangninh.gov.vn</a>',
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "forged_dmarc_fail.eml",
            "impersonation",
            "forged_dmarc",
            to_bytes(
                message("Cập nhật thông tin cán bộ", official, auth=auth("fail", "fail", "none"))
            ),
            ("forged_official_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "forged_who.eml",
            "impersonation",
            "forged_dmarc",
            to_bytes(
                message(
                    "How to avoid infection",
                    "World Health Organization <alert@who.int>",
                    auth=auth("fail", "softfail", "none", domain="who.int"),
                    attachments=(("huong-dan.pdf", PDF, "application/pdf"),),
                )
            ),
            ("forged_official_sender",),
            lookalike_of="mail-who",
        ),
        Sample(
            "forged_with_fake_pass_below.eml",
            "impersonation",
            "forged_auth_header_below",
            to_bytes(
                message(
                    "Công văn khẩn",
                    official,
                    auth=[auth("fail", "fail", "none"), auth("pass", server="attacker.example")],
                )
            ),
            ("forged_official_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "official_upstream_fail_ignored.eml",
            "official",
            "upstream_auth_ignored",
            to_bytes(
                message(
                    "Lịch công tác tuần",
                    official,
                    auth=[auth("pass"), auth("fail", "fail", "fail", server="relay.example.net")],
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "unverified_official_sender.eml",
            "suspicious",
            "unverified_official",
            to_bytes(message("Hồ sơ nhân sự", official, auth=auth("none", "fail", "none"))),
            ("unverified_official_sender",),
        ),
        Sample(
            "lookalike_sender_combosquat.eml",
            "impersonation",
            "lookalike_sender",
            to_bytes(message("Thông báo khẩn", "Thư công vụ <thongbao@quangninh-gov.vn>")),
            ("lookalike_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "lookalike_sender_suffix.eml",
            "impersonation",
            "lookalike_sender",
            to_bytes(message("Hỗ trợ người dân", "Cổng Chính phủ <hotro@chinhphu.com>")),
            ("lookalike_sender",),
            lookalike_of="mail-chinh-phu",
        ),
        Sample(
            "display_name_agency.eml",
            "impersonation",
            "display_name",
            to_bytes(message("Khuyến cáo tiêm chủng", "Bộ Y tế <boyte.thongbao@gmail.com>")),
            ("display_name",),
            lookalike_of="mail-bo-y-te",
        ),
        Sample(
            "display_name_address.eml",
            "impersonation",
            "display_name_address",
            to_bytes(
                message(
                    "Văn bản mới",
                    '"vanphong@quangninh.gov.vn" <vp.quangninh@outlook.example>',
                )
            ),
            ("display_name_address",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "reply_to_elsewhere.eml",
            "suspicious",
            "reply_to_elsewhere",
            to_bytes(
                message(
                    "Xác nhận danh sách",
                    official,
                    auth=auth("pass"),
                    headers={"Reply-To": "vanphong.quangninh@gmail.com"},
                )
            ),
            ("reply_to_elsewhere",),
        ),
        Sample(
            "auth_failed_stranger.eml",
            "suspicious",
            "auth_failed",
            to_bytes(
                message(
                    "Khuyến mãi",
                    stranger,
                    auth=auth("fail", "fail", "fail", domain="shop-example.com"),
                )
            ),
            ("auth_failed",),
        ),
        Sample(
            "sender_header_lookalike.eml",
            "impersonation",
            "sender_header_lookalike",
            to_bytes(
                message(
                    "Thông tin dịch bệnh",
                    stranger,
                    headers={"Sender": "tin@moh-gov.vn"},
                )
            ),
            ("lookalike_sender",),
            lookalike_of="mail-bo-y-te",
        ),
        Sample(
            "return_path_lookalike.eml",
            "impersonation",
            "return_path_lookalike",
            to_bytes(
                message(
                    "Thông tin dịch bệnh",
                    stranger,
                    headers={"Return-Path": "<bounce@who-int.org>"},
                )
            ),
            ("lookalike_sender",),
            lookalike_of="mail-who",
        ),
        Sample(
            "link_text_official.eml",
            "impersonation",
            "link_text_official",
            to_bytes(
                message(
                    "Xác thực tài khoản định danh",
                    stranger,
                    html='<p>Đăng nhập tại <a href="http://login-verify.example.top/dvc">'
                    "https://dichvucong.gov.vn/dang-nhap</a></p>",
                )
            ),
            ("link_text_official",),
            lookalike_of="web-dich-vu-cong-quoc-gia",
        ),
        Sample(  # the link hides where it goes: a mismatch that can mislead
            "link_text_mismatch.eml",
            "suspicious",
            "link_text_mismatch",
            to_bytes(
                message(
                    "Đơn hàng của bạn",
                    stranger,
                    html='<a href="https://bit.ly/3donhang">www.shop-example.com/don-hang</a>',
                )
            ),
            ("link_text_mismatch", "shortener"),
        ),
        Sample(
            "lookalike_link_text_plain.eml",
            "impersonation",
            "lookalike_link",
            to_bytes(
                message(
                    "Phạt nguội",
                    stranger,
                    text="Tra cứu vi phạm tại gplx-gov.vn/tra-cuu trước ngày 10/2.\n",
                )
            ),
            ("combosquat",),
            lookalike_of="web-giay-phep-lai-xe",
        ),
        Sample(
            "embedded_host_form.eml",
            "impersonation",
            "embedded_host_form",
            to_bytes(
                message(
                    "Cập nhật bảo hiểm",
                    stranger,
                    html='<form action="https://baohiemxahoi.gov.vn.tracuu.info/login" '
                    'method="post"><input name="cccd"><button>Gửi</button></form>',
                )
            ),
            ("embedded_host",),
            lookalike_of="web-bao-hiem-xa-hoi",
        ),
        Sample(
            "userinfo_link.eml",
            "impersonation",
            "userinfo_link",
            to_bytes(
                message(
                    "Cổng thông tin tỉnh",
                    stranger,
                    text="Truy cập https://quangninh.gov.vn@evil.example.top/tin-tuc\n",
                )
            ),
            ("url_userinfo",),
            lookalike_of="web-cong-ttdt-quang-ninh",
        ),
        Sample(
            "shortener_link.eml",
            "suspicious",
            "shortener_link",
            to_bytes(message("Nhận quà", stranger, text="Bấm vào https://bit.ly/3abcXYZ\n")),
            ("shortener",),
        ),
        Sample(
            "raw_ip_link.eml",
            "suspicious",
            "raw_ip_link",
            to_bytes(
                message(
                    "Hộp thư đầy",
                    stranger,
                    html='<a href="http://203.0.113.9/owa/">Nâng cấp</a>',
                )
            ),
            ("raw_ip",),
        ),
        Sample(
            "script_link.eml",
            "suspicious",
            "script_link",
            to_bytes(
                message(
                    "Xem tài liệu",
                    stranger,
                    html='<a href="javascript:document.location=1">Xem</a>',
                )
            ),
            ("script_url",),
        ),
        Sample(
            "dangerous_exe.eml",
            "suspicious",
            "dangerous_attachment",
            to_bytes(
                message(
                    "Phần mềm",
                    stranger,
                    attachments=(("setup.exe", PE, "application/octet-stream"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "double_extension.eml",
            "suspicious",
            "double_extension",
            to_bytes(
                message("Hồ sơ", stranger, attachments=(("hoso.pdf.exe", PE, "application/pdf"),))
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "rlo_name.eml",
            "suspicious",
            "rlo_name",
            to_bytes(
                message(
                    "Bảng lương",
                    stranger,
                    attachments=(("bangluong\u202efdp.scr", PE, "application/octet-stream"),),
                )
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "pe_named_pdf.eml",
            "suspicious",
            "pe_as_pdf",
            to_bytes(
                message("Công văn", stranger, attachments=(("congvan.pdf", PE, "application/pdf"),))
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "shortcut_lnk.eml",
            "suspicious",
            "shortcut",
            to_bytes(
                message(
                    "Tài liệu",
                    stranger,
                    attachments=(("tailieu.lnk", LNK, "application/octet-stream"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "disk_image_iso.eml",
            "suspicious",
            "disk_image",
            to_bytes(
                message(
                    "Hóa đơn",
                    stranger,
                    attachments=(("hoadon.iso", iso_image(), "application/x-iso9660-image"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "script_js.eml",
            "suspicious",
            "script_attachment",
            to_bytes(
                message(
                    "Thông báo",
                    stranger,
                    attachments=(
                        ("thongbao.js", b"WScript.Shell.Run('x')", "application/javascript"),
                    ),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "macro_docm.eml",
            "suspicious",
            "macro_extension",
            to_bytes(
                message(
                    "Biểu mẫu",
                    stranger,
                    attachments=(
                        (
                            "bieumau.docm",
                            zip_of([("[Content_Types].xml", b"<Types/>")]),
                            "application/vnd.ms-word.document.macroEnabled.12",
                        ),
                    ),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "ole_vba_macro_doc.eml",
            "suspicious",
            "ole_vba_macro",
            to_bytes(
                message(
                    "Danh sách",
                    stranger,
                    attachments=(("danhsach.doc", ole_with_vba(), "application/msword"),),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "ooxml_vba_in_docx.eml",
            "suspicious",
            "ooxml_vba_hidden",
            to_bytes(
                message(
                    "Kế hoạch",
                    stranger,
                    attachments=(
                        (
                            "kehoach.docx",
                            zip_of(
                                [
                                    ("[Content_Types].xml", b"<Types/>"),
                                    ("word/document.xml", b"<w:document/>"),
                                    ("word/vbaProject.bin", ole_with_vba()),
                                ]
                            ),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        ),
                    ),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "official_clean_docx.eml",
            "official",
            "official_clean_document",
            to_bytes(
                message(
                    "Kế hoạch tuần",
                    official,
                    auth=auth("pass"),
                    attachments=(
                        (
                            "kehoach.docx",
                            zip_of(
                                [
                                    ("[Content_Types].xml", b"<Types/>"),
                                    ("word/document.xml", b"<w:document/>"),
                                ]
                            ),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        ),
                        ("congvan.pdf", PDF, "application/pdf"),
                    ),
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "zip_with_exe.eml",
            "suspicious",
            "zip_executable",
            to_bytes(
                message(
                    "Ảnh",
                    stranger,
                    attachments=(
                        ("anh.zip", zip_of([("anh/IMG_2022.jpg.exe", PE)]), "application/zip"),
                    ),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "zip_with_hidden_pe.eml",
            "suspicious",
            "zip_content_sniff",
            to_bytes(
                message(
                    "Báo cáo",
                    stranger,
                    attachments=(("baocao.zip", zip_of([("baocao.txt", PE)]), "application/zip"),),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "zip_encrypted.eml",
            "suspicious",
            "encrypted_zip",
            to_bytes(
                message(
                    "Hóa đơn (mật khẩu 1234)",
                    stranger,
                    attachments=(
                        (
                            "hoadon.zip",
                            zip_of([("hoadon.pdf", PDF)], encrypted=True),
                            "application/zip",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "zip_bomb.eml",
            "suspicious",
            "zip_bomb",
            to_bytes(
                message(
                    "Dữ liệu",
                    stranger,
                    attachments=(
                        (
                            "dulieu.zip",
                            zip_of([("dulieu.csv", b"\x00" * (5 * 1024 * 1024))]),
                            "application/zip",
                        ),
                    ),
                )
            ),
            ("archive_bomb",),
        ),
        Sample(
            "zip_named_pdf.eml",
            "suspicious",
            "zip_as_pdf",
            to_bytes(
                message(
                    "Hồ sơ",
                    stranger,
                    attachments=(("hoso.pdf", zip_of([("hoso.scr", PE)]), "application/pdf"),),
                )
            ),
            ("disguised_attachment", "archive_contains"),
        ),
        Sample(
            "seven_zip_with_exe.eml",
            "suspicious",
            "7z_executable",
            to_bytes(
                message(
                    "Tài liệu",
                    stranger,
                    attachments=(
                        (
                            "tailieu.7z",
                            seven_zip([("tailieu.pdf.exe", PE)]),
                            "application/x-7z-compressed",
                        ),
                    ),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "seven_zip_encrypted.eml",
            "suspicious",
            "7z_encrypted",
            to_bytes(
                message(
                    "Tài liệu mật",
                    stranger,
                    attachments=(
                        (
                            "tailieu.7z",
                            seven_zip([("tailieu.exe", PE)], password="1234"),
                            "application/x-7z-compressed",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "rar_with_scr.eml",
            "suspicious",
            "rar_executable",
            to_bytes(
                message(
                    "Ảnh đẹp",
                    stranger,
                    attachments=(("anh.rar", rar4([("anh.scr", PE)]), "application/vnd.rar"),),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "rar_encrypted.eml",
            "suspicious",
            "rar_encrypted",
            to_bytes(
                message(
                    "Hợp đồng",
                    stranger,
                    attachments=(
                        (
                            "hopdong.rar",
                            rar4([("hopdong.pdf", PDF)], encrypted=True),
                            "application/vnd.rar",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "html_named_pdf.eml",
            "suspicious",
            "html_as_pdf",
            to_bytes(
                message(
                    "Biên lai",
                    stranger,
                    attachments=(
                        (
                            "bienlai.pdf",
                            b"<!DOCTYPE html><html><form action='x'></form></html>",
                            "application/pdf",
                        ),
                    ),
                )
            ),
            ("disguised_attachment",),
        ),
        Sample(
            "forwarded_phishing.eml",
            "impersonation",
            "forwarded_message",
            to_bytes(forwarded()),
            ("combosquat",),
            lookalike_of="web-vneid",
        ),
        Sample("bad_base64.eml", "suspicious", "bad_base64", bad_base64(), ("undecodable_part",)),
        Sample("truncated.eml", "suspicious", "truncated", truncated(), ("malformed",)),
        Sample("deep_nesting.eml", "suspicious", "deep_nesting", deep_nesting(30), ("too_deep",)),
        Sample(
            "huge_headers.eml", "suspicious", "huge_headers", huge_headers(), ("headers_too_large",)
        ),
        Sample(
            "no_sender.eml",
            "unknown",
            "no_sender",
            b"To: canbo@quangninh.gov.vn\r\nSubject: =?utf-8?q?Kh=C3=B4ng_t=C3=AAn?=\r\n"
            b"\r\nXin chao\r\n",
            ("no_sender",),
        ),
        Sample(
            "official_links_from_stranger.eml",
            "unknown",
            "official_decoration",
            to_bytes(
                message(
                    "Thông báo từ UBND tỉnh",
                    stranger,
                    headers={"Reply-To": "vanphong@quangninh.gov.vn"},
                    html='<a href="https://www.quangninh.gov.vn/">www.quangninh.gov.vn</a>',
                )
            ),
            ("official_mail_domain", "official_subdomain"),
        ),
        Sample(
            "benign_newsletter.eml",
            "unknown",
            "benign_unknown",
            to_bytes(
                message(
                    "Bản tin tháng 2",
                    stranger,
                    auth=auth("pass", domain="shop-example.com"),
                    html='<p><a href="https://www.shop-example.com/tin">Đọc tiếp</a> '
                    '<a href="https://shop-example.com/huy">shop-example.com/huy</a></p>',
                )
            ),
            ("address_not_registered",),
        ),
        Sample(  # a brand's name and links, sent and counted through its mailing service
            "newsletter_click_tracking.eml",
            "unknown",
            "click_tracking",
            to_bytes(
                message(
                    "Bản tin tháng 3",
                    "Shop-Example.com <tin@mailer.bulk-mail.example>",
                    auth=auth("pass", domain="mailer.bulk-mail.example"),
                    html='<p><a href="https://click.bulk-mail.example/t/9">'
                    "www.shop-example.com/khuyen-mai</a></p>",
                )
            ),
            ("link_text_elsewhere", "display_name_site"),
        ),
        Sample(  # the receiving server checked and nothing passed for the official domain
            "official_unconfirmed.eml",
            "unknown",
            "official_unconfirmed",
            to_bytes(
                message(
                    "Thông báo nộp hồ sơ",
                    "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>",
                    auth=f"{RECEIVER}; spf=none smtp.mailfrom=quangninh.gov.vn; dkim=none; "
                    "dmarc=none header.from=quangninh.gov.vn",
                )
            ),
            ("unconfirmed_official_sender",),
        ),
    ]
    return out


def forwarded() -> EmailMessage:
    inner = message(
        "Cập nhật định danh mức 2",
        "VNeID <hotro@vneid-xacthuc.example>",
        text="Cập nhật tại https://vneid-gov.com/xac-thuc\n",
    )
    outer = message("Fwd: Cập nhật định danh mức 2", "Hỗ trợ khách hàng <hotro@shop-example.com>")
    outer.add_attachment(inner, filename="forwarded.eml")
    return outer


def bad_base64() -> bytes:
    msg = message(
        "Tài liệu",
        "Hỗ trợ <hotro@shop-example.com>",
        attachments=(("tailieu.pdf", PDF, "application/pdf"),),
    )
    raw = to_bytes(msg)
    encoded = base64.encodebytes(PDF).decode().strip()
    return raw.replace(encoded.encode(), b"JVBERi0x!!!LjQK*&^%$#@garbage=x=y")


def truncated() -> bytes:
    msg = message(
        "Thông báo",
        "Hỗ trợ <hotro@shop-example.com>",
        html="<p>Xem <a href='https://shop-example.com'>tại đây</a></p>",
        attachments=(("a.pdf", PDF * 20, "application/pdf"),),
    )
    raw = to_bytes(msg)
    return raw[: len(raw) * 2 // 3]


def deep_nesting(levels: int) -> bytes:
    lines = ["From: Hỗ trợ <hotro@shop-example.com>", "Subject: Nested", "MIME-Version: 1.0"]
    body = "Content-Type: text/plain\n\nhttps://bit.ly/deep\n"
    for level in reversed(range(levels)):
        head = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n'
        body = f"{head}--b{level}\n{body}\n--b{level}--\n"
    return ("\n".join(lines) + "\n" + body).encode()


def huge_headers() -> bytes:
    msg = message("Nhiều tiêu đề", "Hỗ trợ <hotro@shop-example.com>")
    for number in range(700):
        msg[f"X-Filler-{number}"] = "x" * 60
    return to_bytes(msg)


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    lines = []
    for sample in samples():
        (HERE / sample.file).write_bytes(sample.raw)
        lines.append(
            json.dumps(
                {
                    "file": sample.file,
                    "expected": sample.expected,
                    "lookalike_of": sample.lookalike_of,
                    "channel": sample.channel,
                    "technique": sample.technique,
                    "reasons": list(sample.reasons),
                },
                ensure_ascii=False,
            )
        )
    CASES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} samples to {HERE} and {CASES}")


if __name__ == "__main__":
    main()
