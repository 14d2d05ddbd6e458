"""Hostile, random and damaged messages never make email analysis raise: every input gets a
verdict with reasons that read as sentences, quickly."""

import base64
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.reasons import TEXTS, english
from chinhthong.verify.results import Verdict
from tests.verify.engines import CORPUS, default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
SAMPLES = [path.read_bytes() for path in sorted((CORPUS / "eml").glob("*.eml"))]
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECONDS = 5  # per message; the analysis gives up on remaining parts after 3

NAMES = [
    "From",
    "Sender",
    "Reply-To",
    "Return-Path",
    "Subject",
    "Authentication-Results",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
    "MIME-Version",
    "X-Other",
    "from",
    "CONTENT-TYPE",
]
VALUES = [
    "a@quangninh.gov.vn",
    '"Bộ Y tế" <x@gmail.com>',
    "<>",
    "=?utf-8?b?U+G7nyBZIHThur8=?= <a@b.vn>",
    "=?bogus?q?x?=",
    "multipart/mixed; boundary=b",
    "multipart/mixed",
    "message/rfc822",
    "text/html; charset=x-unknown",
    "base64",
    "quoted-printable",
    "x-uuencode",
    "attachment; filename*=utf-8''a%E2%80%AE.exe",
    "mx; dmarc=fail header.from=quangninh.gov.vn",
    "mx; (((",
    '"unterminated',
    "(comment (nested)) a@b.vn",
    "a@b@c",
    "@",
    ",,,;;;",
    "",
]
PE = b"MZ" + b"\x00" * 58 + b"\x40\x00\x00\x00PE\x00\x00"
SIGNATURES = [
    b"MZ",
    PE,
    b"\x7fELF",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07\x00",
    b"Rar!\x1a\x07\x01\x00",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"%PDF-",
    b"<html>",
    b"L\x00\x00\x00\x01\x14\x02\x00",
    b"conectix",
    b"",
]
FILENAMES = [
    "a.zip",
    "a.7z",
    "a.rar",
    "a.doc",
    "a.docx",
    "a.xlsm",
    "hoso.pdf.exe",
    "a.pdf",
    "",
    "a\u202egpj.exe",
    "a.iso",
    "a.lnk",
    "a",
]


def answer(raw: bytes):
    start = time.monotonic()
    result = check_message(ENGINE, raw)
    assert time.monotonic() - start < SECONDS
    assert result.kind == "email"
    assert result.verdict in set(Verdict)
    assert len(result.input) <= 160
    for item in [*result.reasons, *(r for part in result.parts for r in part.reasons)]:
        assert item.code in TEXTS, item.code
        assert "%(" not in english(item.code, item.params_dict), item
    json.dumps(result.to_dict())
    return result


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(raw):
    answer(raw)


@FUZZ
@given(
    st.lists(
        st.tuples(st.sampled_from(NAMES), st.one_of(st.sampled_from(VALUES), st.text(max_size=80))),
        max_size=12,
    ),
    st.binary(max_size=500),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_header_shaped_input(fields, body, newline):
    head = newline.join(
        f"{name}: {value}".encode("utf-8", "surrogatepass") for name, value in fields
    )
    answer(head + newline + newline + body)


mutation = st.tuples(
    st.sampled_from(["flip", "delete", "insert", "duplicate", "cut"]),
    st.floats(min_value=0, max_value=1),
    st.binary(min_size=1, max_size=40),
)


def mutate(raw: bytes, mutations) -> bytes:
    for kind, where, data in mutations:
        at = int(where * len(raw))
        if kind == "flip":
            raw = raw[:at] + data + raw[at + len(data) :]
        elif kind == "delete":
            raw = raw[:at] + raw[at + len(data) :]
        elif kind == "insert":
            raw = raw[:at] + data + raw[at:]
        elif kind == "duplicate":
            raw = raw[:at] + raw[at : at + 200] * 3 + raw[at:]
        else:
            raw = raw[:at]
    return raw


@FUZZ
@given(st.sampled_from(SAMPLES), st.lists(mutation, min_size=1, max_size=8))
def test_mutated_real_messages(raw, mutations):
    answer(mutate(raw, mutations))


@FUZZ
@given(st.sampled_from(SAMPLES), st.floats(min_value=0, max_value=1))
def test_truncated_real_messages(raw, where):
    answer(raw[: int(where * len(raw))])


@FUZZ
@given(
    st.integers(min_value=0, max_value=160),
    st.sampled_from(["multipart/mixed", "multipart/alternative", "message/rfc822", "MuLtIpArT/x"]),
    st.booleans(),
    st.booleans(),
)
def test_deep_nesting(depth, content_type, close, same_boundary):
    body = b"Content-Type: text/html\n\n<a href='https://gplx-gov.vn'>gplx.gov.vn</a>\n"
    for level in reversed(range(depth)):
        boundary = b"b" if same_boundary else b"b%d" % level
        head = b"Content-Type: " + content_type.encode() + b'; boundary="' + boundary + b'"\n\n'
        if content_type == "message/rfc822":
            body = head + b"From: x@y.vn\n" + body
        else:
            body = (
                head
                + b"--"
                + boundary
                + b"\n"
                + body
                + (b"\n--" + boundary + b"--\n" if close else b"")
            )
    result = answer(b"From: a <a@shop-example.com>\nSubject: nest\n" + body)
    if depth > 100:
        assert result.verdict is not Verdict.UNKNOWN


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=3000),
    st.integers(min_value=0, max_value=300_000),
    st.sampled_from(["Subject", "From", "Content-Type", "Authentication-Results", "X-Long"]),
    st.sampled_from([b"x", b"(", b"=?utf-8?q?a?= ", b"a@b.vn,", b"; a=b", b'"', b"\n "]),
)
def test_huge_headers(count, length, name, unit):
    head = b"".join(b"X-Filler-%d: %d\n" % (n, n) for n in range(count))
    head += name.encode() + b": " + unit * (length // len(unit)) + b"\n"
    result = answer(head + "From: Bộ Y tế <a@gmail.com>\n\nbody".encode())
    if count > 500 or length > 256 * 1024:
        assert result.verdict is not Verdict.UNKNOWN


@FUZZ
@given(
    st.binary(max_size=600),
    st.sampled_from(FILENAMES),
    st.sampled_from(["application/octet-stream", "application/pdf", "text/plain", "image/png"]),
    st.booleans(),
)
def test_bad_base64_and_garbage_attachments(data, filename, content_type, encode):
    body = base64.encodebytes(data) if encode else data.replace(b"\r", b"")
    raw = (
        b'From: x@shop-example.com\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b"Content-Type: " + content_type.encode() + b'; name="' + filename.encode() + b'"\n'
        b"Content-Transfer-Encoding: base64\nContent-Disposition: attachment\n\n"
        + body
        + b"\n--b--\n"
    )
    answer(raw)


@FUZZ
@given(st.sampled_from(SIGNATURES), st.binary(max_size=2000), st.sampled_from(FILENAMES))
def test_attachments_that_start_like_known_formats(signature, rest, filename):
    payload = base64.encodebytes(signature + rest)
    raw = (
        b"From: x@shop-example.com\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="' + filename.encode() + b'"\n'
        b"Content-Transfer-Encoding: base64\n\n" + payload
    )
    result = answer(raw)
    if signature in (PE, b"\x7fELF"):
        assert "dangerous_attachment" in {r.code for r in result.reasons}
