"""Attachment names as mail programs decode them (the attacker tests of the hardening issue,
replayed through the engine's email check): names written as RFC 2047 encoded words, RFC 2231
parameters, broken charsets, a name and a filename that differ are judged as shown."""

import base64
from email.message import EmailMessage

import pytest

from chinhthong.verify.mail import check_message
from chinhthong.verify.results import Verdict
from tests.verify.attachment_mail import (
    ENGINE,
    PDF,
    SAMPLES,
    SCRIPT,
    STRANGER,
    codes,
    found,
    raw_mail,
    reasons_of,
)


def b64word(text: str, charset: str = "utf-8", declared: str | None = None) -> str:
    return f"=?{declared or charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


RLO_NAME = b64word("hoso\u202efdp.exe")


NAME_CASES = [
    # The seven names of the attacker test, each answered "unknown" before.
    (
        "base64-in-quoted-filename",
        f'Content-Disposition: attachment; filename="{b64word("hoso.pdf.js")}"',
        "hoso.pdf.js",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    (
        "q-encoding",
        'Content-Disposition: attachment; filename="=?utf-8?Q?Th=C3=B4ng_b=C3=A1o.vbs?="',
        "Thông báo.vbs",
        {"dangerous_attachment"},
    ),
    (
        "content-type-name-only",
        f'Content-Type: application/octet-stream; name="{b64word("huongdan.hta")}"\n'
        "Content-Disposition: attachment",
        "huongdan.hta",
        {"dangerous_attachment"},
    ),
    (
        "encoded-word-inside-a-word",
        'Content-Disposition: attachment; filename="baocao=?utf-8?Q?_th=C3=A1ng_5.docm?="',
        "baocao tháng 5.docm",
        {"macro_document"},
    ),
    (
        "right-to-left-override",
        f'Content-Disposition: attachment; filename="{RLO_NAME}"',
        "hosoexe.pdf",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    (
        "override-split-across-two-words",
        "Content-Disposition: attachment;\n"
        ' filename="=?utf-8?Q?anh=E2=80?= =?utf-8?Q?=AEgpj.scr?="',
        "anhrcs.jpg",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    (
        "single-byte-charset",
        'Content-Disposition: attachment; filename="=?iso-8859-1?Q?factura_n=BA5.pdf.exe?="',
        "factura nº5.pdf.exe",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    # Broken charsets fall back to UTF-8 instead of hiding the name.
    (
        "unknown-charset",
        f'Content-Disposition: attachment; filename="{b64word("hoso.pdf.js", declared="x-bad")}"',
        "hoso.pdf.js",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    (
        "rfc2231-charset-python-cannot-decode-with-replace",
        "Content-Disposition: attachment; filename*=idna''hoso%FF.pdf.js",
        "hoso\ufffd.pdf.js",
        {"disguised_attachment", "dangerous_attachment"},
    ),
    # The name a program may show instead of the filename.
    (
        "filename-and-name-differ",
        'Content-Type: application/octet-stream; name="baocao.exe"\n'
        'Content-Disposition: attachment; filename="baocao.pdf"',
        "baocao.exe",
        {"dangerous_attachment"},
    ),
    (
        "two-filenames",
        'Content-Disposition: attachment; filename="hoso.pdf"; filename="hoso.pdf.exe"',
        "hoso.pdf.exe",
        {"disguised_attachment", "dangerous_attachment"},
    ),
]


@pytest.mark.parametrize(
    ("headers", "name", "expected"),
    [case[1:] for case in NAME_CASES],
    ids=[case[0] for case in NAME_CASES],
)
def test_encoded_attachment_names_are_judged(headers, name, expected):
    result = check_message(ENGINE, raw_mail((headers, SCRIPT)))
    assert result.verdict is Verdict.SUSPICIOUS, reasons_of(result)
    assert expected <= codes(result), reasons_of(result)
    assert any(r.params_dict.get("name") == name for r in result.reasons), reasons_of(result)


def test_rfc2231_continuations_are_joined():
    headers = (
        "Content-Disposition: attachment;\n filename*0*=utf-8''h%E1%BB%93%20s;\n"
        ' filename*1*=%C6%A1.pdf; filename*2=".js"'
    )
    result = check_message(ENGINE, raw_mail((headers, SCRIPT)))
    assert found(result, "dangerous_attachment") == [{"name": "hồ sơ.pdf.js", "type": ".js"}]


def test_both_names_are_judged_and_neither_hides_the_other():
    headers = (
        f'Content-Type: application/octet-stream; name="{b64word("hoso.pdf.exe")}"\n'
        "Content-Disposition: attachment; filename*=utf-8''h%E1%BB%93%20s%C6%A1.vbs"
    )
    result = check_message(ENGINE, raw_mail((headers, SCRIPT)))
    dangerous = {d["name"]: d["type"] for d in found(result, "dangerous_attachment")}
    assert dangerous == {"hồ sơ.vbs": ".vbs", "hoso.pdf.exe": ".exe"}


def test_honest_names_raise_nothing():
    msg = EmailMessage()
    msg["From"] = f"Ho tro <{STRANGER}>"
    msg.set_content("Xin chào.")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="Báo cáo tháng 5.pdf")
    headers = 'Content-Disposition: attachment; filename="=?utf-8?B?Q8O0bmcgdsSDbg==?=.pdf"'
    for raw in (SAMPLES.to_bytes(msg), raw_mail((headers, PDF))):
        result = check_message(ENGINE, raw)
        assert result.verdict is Verdict.UNKNOWN, reasons_of(result)


def test_malformed_encoded_words_do_not_break_the_check():
    names = ["=?utf-8?B?!!!?=", "=?utf-8?Q?=ZZ.exe?=", "=??B?aGk=?=", "=?utf-8?X?abc?=.js"]
    for name in names:
        result = check_message(
            ENGINE, raw_mail((f'Content-Disposition: a; filename="{name}"', b"x"))
        )
        assert "malformed" not in codes(result), (name, reasons_of(result))
    result = check_message(
        ENGINE, raw_mail(('Content-Disposition: a; filename="=?x?X?a?=.js"', b""))
    )
    assert "dangerous_attachment" in codes(result)
