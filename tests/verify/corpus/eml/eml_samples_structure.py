"""Samples about the message's structure: a forwarded message, undecodable base64, a
truncated message, deep MIME nesting, huge headers and no sender at all."""

import base64
from email.message import EmailMessage

from eml_attachment_bytes import PDF
from eml_building import Sample, message, to_bytes


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


def structure_samples() -> list[Sample]:
    """Malformed and unusual structures, in the order eml_cases.jsonl lists them."""
    return [
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
    ]
