"""Email analysis: what a resident who uploads a message, or a mail gateway that hands one
over, is told about it. Messages are built with the stdlib email package, never mocked."""

import importlib.util
import io
import json
import time
import zipfile
from email.message import EmailMessage

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.mail_authentication import parse_authentication_results
from chinhthong.verify.mail_links import MAX_LINKS
from chinhthong.verify.mail_reasons import MAIL_TEXTS
from chinhthong.verify.reasons import TEXTS, english
from chinhthong.verify.results import Verdict
from tests.verify.engines import CORPUS, corpus_engine, default_document

EML = CORPUS / "eml"
CASES = [json.loads(line) for line in (CORPUS / "eml_cases.jsonl").read_text().splitlines()]
ENGINE = Engine(RegistryIndex.from_document(default_document()))
OFFICIAL = "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>"
STRANGER = "Hỗ trợ <hotro@shop-example.com>"


def _samples():
    spec = importlib.util.spec_from_file_location("make_samples", EML / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _samples()
PE = SAMPLES.PE


def mail(
    sender=STRANGER,
    subject="Thông báo",
    *,
    text="Xin chào.\n",
    html=None,
    auth=None,
    headers=None,
    attachments=(),
) -> bytes:
    msg = SAMPLES.message(
        subject, sender, text=text, html=html, auth=auth, headers=headers, attachments=attachments
    )
    return SAMPLES.to_bytes(msg)


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def all_codes(result) -> set[str]:
    return codes(result) | {r.code for part in result.parts for r in part.reasons}


def slug(ref):
    return ref.slug if ref else None


# --- the labelled samples ---------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_sample(case):
    result = check_message(ENGINE, (EML / case["file"]).read_bytes())
    assert result.kind == "email"
    assert result.verdict == case["expected"], [(r.code, r.params_dict) for r in result.reasons]
    assert slug(result.lookalike_of) == case["lookalike_of"]
    if case["channel"]:
        assert slug(result.channel) == case["channel"]
    assert set(case["reasons"]) <= all_codes(result)


def test_samples_cover_every_rule():
    assert len(CASES) >= 30
    assert {"official", "impersonation", "suspicious", "unknown"} <= {c["expected"] for c in CASES}
    seen = {code for case in CASES for code in case["reasons"]}
    # Limits that need a huge or slow message are shown by the tests below, not by files; what
    # every message was judged on, by test_every_sample_says_what_was_judged.
    by_tests = {"too_large", "too_slow", "too_complex", "too_many_parts", "too_many_links"}
    by_tests |= {"email_checked", "email_checked_no_sender"}
    assert set(MAIL_TEXTS) - by_tests <= seen | {"archive_bomb"}, set(MAIL_TEXTS) - seen - by_tests


def test_samples_are_what_the_generator_writes():
    for sample in SAMPLES.samples():
        committed = (EML / sample.file).read_bytes()
        if sample.technique.startswith("7z"):  # 7z archives carry a write time and a random IV
            same = (
                check_message(ENGINE, committed).verdict
                == check_message(ENGINE, sample.raw).verdict
            )
            assert same, sample.file
        else:
            assert committed == sample.raw, f"{sample.file}: run {EML / 'make_samples.py'}"


def test_every_sample_says_what_was_judged():
    """Every verdict shows at least one reason of the message itself, even an official one
    whose findings are all on its parts: the sender, and how many links and attachments."""
    for case in CASES:
        result = check_message(ENGINE, (EML / case["file"]).read_bytes())
        assert result.reasons, case["file"]
        checked = [r for r in result.reasons if r.code.startswith("email_checked")]
        assert len(checked) == 1, (case["file"], codes(result))
        assert checked[0].verdict is Verdict.UNKNOWN  # it says what was judged, not how
        text = english(checked[0].code, checked[0].params_dict)
        assert "%(" not in text
        if case["file"] == "no_sender.eml":
            assert checked[0].code == "email_checked_no_sender"
        else:
            assert checked[0].code == "email_checked", case["file"]
            assert checked[0].params_dict["sender"] in result.input


def test_the_message_reason_counts_its_links_and_attachments():
    raw = mail(
        OFFICIAL,
        auth=SAMPLES.auth("pass"),
        text="Xem https://quangninh.gov.vn/tin-tuc va https://congchuc.quangninh.gov.vn.\n",
        attachments=(("congvan.pdf", SAMPLES.PDF, "application/pdf"),),
    )
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.OFFICIAL
    (checked,) = result.reasons
    assert checked.params_dict == {
        "sender": "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>",
        "links": "2",
        "attachments": "1",
    }
    text = english(checked.code, checked.params_dict)
    assert text.startswith(
        "Checked: the sender Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>, "
        "2 link(s) and 1 attachment(s) of the message."
    )


def test_every_reason_reads_as_a_sentence():
    for case in CASES:
        result = check_message(ENGINE, (EML / case["file"]).read_bytes())
        for item in [*result.reasons, *(r for p in result.parts for r in p.reasons)]:
            assert item.code in TEXTS, item.code
            assert "%(" not in english(item.code, item.params_dict), item
        json.dumps(result.to_dict(lambda r: english(r.code, r.params_dict)))


# --- senders ------------------------------------------------------------------------------------
def test_official_sender_confirmed_by_the_receiving_server_is_official():
    result = check_message(ENGINE, mail(OFFICIAL, auth=SAMPLES.auth("pass")))
    assert result.verdict is Verdict.OFFICIAL
    assert slug(result.channel) == "mail-thu-cong-vu-quang-ninh"
    assert result.input == "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn> → Thông báo"


def test_forged_official_sender_is_impersonation_and_its_from_part_is_not_official():
    result = check_message(ENGINE, mail(OFFICIAL, auth=SAMPLES.auth("fail", "fail", "none")))
    assert result.verdict is Verdict.IMPERSONATION
    assert "forged_official_sender" in codes(result)
    assert slug(result.lookalike_of) == "mail-thu-cong-vu-quang-ninh"
    assert result.channel is None
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)


def test_only_the_receiving_servers_results_count():
    upstream_fail = [SAMPLES.auth("pass"), SAMPLES.auth("fail", server="relay.example.net")]
    assert check_message(ENGINE, mail(OFFICIAL, auth=upstream_fail)).verdict is Verdict.OFFICIAL
    forged_pass = [SAMPLES.auth("fail"), SAMPLES.auth("pass", server="attacker.example")]
    result = check_message(ENGINE, mail(OFFICIAL, auth=forged_pass))
    assert result.verdict is Verdict.IMPERSONATION


def test_results_with_comments_and_spaces_are_read():
    value = (
        "mx.quangninh.gov.vn 1; spf = fail (domain of x does not (designate)) smtp.mailfrom=a.vn;"
        ' dkim=none; dmarc=FAIL (p=reject dis=none) header.from="quangninh.gov.vn"'
    )
    server, results = parse_authentication_results(value)
    assert server == "mx.quangninh.gov.vn"
    assert ("dmarc", "fail", {"header.from": "quangninh.gov.vn"}) in results
    assert check_message(ENGINE, mail(OFFICIAL, auth=value)).verdict is Verdict.IMPERSONATION


def test_dmarc_for_another_domain_does_not_forge_the_sender():
    """Nor does it confirm the sender: nothing passed for quangninh.gov.vn."""
    other = SAMPLES.auth("fail", domain="shop-example.com")
    result = check_message(ENGINE, mail(OFFICIAL, auth=other))
    assert result.verdict is Verdict.UNKNOWN
    assert "forged_official_sender" not in codes(result)
    assert "unconfirmed_official_sender" in codes(result)


def test_stranger_failing_authentication_is_suspicious():
    result = check_message(
        ENGINE, mail(auth=SAMPLES.auth("none", "fail", "none", "shop-example.com"))
    )
    assert result.verdict is Verdict.SUSPICIOUS
    assert [r.params_dict for r in result.reasons if r.code == "auth_failed"] == [
        {"domain": "shop-example.com", "checks": "SPF"}
    ]


def test_only_the_from_line_makes_a_message_official():
    headers = {"Reply-To": "vanphong@quangninh.gov.vn", "Sender": "vanthu@moh.gov.vn"}
    html = '<a href="https://www.quangninh.gov.vn/">www.quangninh.gov.vn</a>'
    result = check_message(ENGINE, mail(headers=headers, html=html))
    assert result.verdict is Verdict.UNKNOWN
    assert result.channel is None
    assert [p.verdict for p in result.parts].count(Verdict.OFFICIAL) == 3


def test_reply_to_on_the_same_or_another_official_domain_is_fine():
    for reply_to in ("vanthu@stttt.quangninh.gov.vn", "hotro@moh.gov.vn"):
        raw = mail(OFFICIAL, auth=SAMPLES.auth("pass"), headers={"Reply-To": reply_to})
        assert check_message(ENGINE, raw).verdict is Verdict.OFFICIAL, reply_to


def test_reply_to_a_lookalike_is_impersonation():
    raw = mail(
        OFFICIAL, auth=SAMPLES.auth("pass"), headers={"Reply-To": "vanphong@quangninh-gov.vn"}
    )
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.IMPERSONATION
    assert "reply_to_elsewhere" in codes(result)
    assert slug(result.lookalike_of) == "mail-thu-cong-vu-quang-ninh"


def test_display_name_showing_a_stranger_address_is_suspicious():
    result = check_message(ENGINE, mail('"ketoan@shop-example.com" <x@mail.example.org>'))
    assert result.verdict is Verdict.SUSPICIOUS
    assert "display_name_address" in codes(result)


def test_display_name_repeating_the_real_address_is_fine():
    raw = mail('"hotro@shop-example.com" <hotro@shop-example.com>')
    assert check_message(ENGINE, raw).verdict is Verdict.UNKNOWN


def test_duplicate_from_lines_are_malformed():
    raw = mail(OFFICIAL, auth=SAMPLES.auth("pass")).replace(
        b"From:", b"From: Ke gian <x@evil.example>\nFrom:", 1
    )
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.SUSPICIOUS
    assert "malformed" in codes(result)


# --- links ----------------------------------------------------------------------------------
def test_every_link_is_judged_once():
    html = '<a href="https://bit.ly/x">Xem</a>' * 300
    result = check_message(ENGINE, mail(text="https://bit.ly/x\n" * 50, html=html))
    assert [p.input for p in result.parts if p.kind == "url"] == ["https://bit.ly/x"]
    assert result.verdict is Verdict.SUSPICIOUS


def test_links_are_capped():
    html = "".join(f'<a href="https://s{i}.example.com/">{i}</a>' for i in range(MAX_LINKS + 50))
    result = check_message(ENGINE, mail(html=html))
    assert len([p for p in result.parts if p.kind == "url"]) == MAX_LINKS
    assert "too_many_links" in codes(result)


def test_link_text_naming_another_official_site_of_an_official_link_is_fine():
    html = '<a href="https://www.quangninh.gov.vn/">chinhphu.vn</a>'
    result = check_message(ENGINE, mail(OFFICIAL, auth=SAMPLES.auth("pass"), html=html))
    assert result.verdict is Verdict.OFFICIAL


def test_link_text_matching_its_site_is_fine():
    html = '<a href="https://shop-example.com/a">Xem tại www.shop-example.com</a>'
    assert check_message(ENGINE, mail(html=html)).verdict is Verdict.UNKNOWN


def test_link_text_naming_an_official_site_of_a_tracking_link_is_impersonation():
    html = (
        '<a href="https://click.example.net/t/1">Cổng thông tin: https://www.quangninh.gov.vn</a>'
    )
    result = check_message(ENGINE, mail(html=html))
    assert result.verdict is Verdict.IMPERSONATION
    assert slug(result.lookalike_of) == "web-cong-ttdt-quang-ninh"


def test_a_link_the_engine_cannot_judge_does_not_hide_the_next_ones():
    html = '<a href="http://0/\\">x</a> <a href="https://gplx-gov.vn/tra-cuu">Tra cứu</a>'
    result = check_message(ENGINE, mail(html=html, text="http://0/\\ ok\n"))
    assert result.verdict is Verdict.IMPERSONATION
    assert slug(result.lookalike_of) == "web-giay-phep-lai-xe"


def test_blocklisted_link_makes_the_message_malicious():
    raw = mail(
        OFFICIAL, auth=SAMPLES.auth("fail"), text="Khai báo tại http://khaibao-yte.top/form\n"
    )
    result = check_message(corpus_engine(), raw)
    assert result.verdict is Verdict.MALICIOUS
    assert slug(result.lookalike_of) == "mail-thu-cong-vu-quang-ninh"


def test_links_of_huge_html_are_still_found():
    html = "<div>" * 20_000 + '<a href="https://gplx-gov.vn/x">Tra cứu</a>'
    start = time.monotonic()
    result = check_message(ENGINE, mail(html=html))
    assert time.monotonic() - start < 2
    assert result.verdict is Verdict.IMPERSONATION


# --- attachments ------------------------------------------------------------------------------
def test_program_without_a_name_is_dangerous():
    result = check_message(ENGINE, mail(attachments=(("", PE, "application/octet-stream"),)))
    assert result.verdict is Verdict.SUSPICIOUS
    assert [r.params_dict for r in result.reasons if r.code == "dangerous_attachment"] == [
        {"name": "application/octet-stream", "type": "PE"}
    ]


def test_dangerous_attachment_from_a_forged_sender_is_still_impersonation():
    raw = mail(OFFICIAL, auth=SAMPLES.auth("fail"), attachments=(("a.exe", PE, "application/x"),))
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.IMPERSONATION
    assert {"forged_official_sender", "dangerous_attachment"} <= codes(result)


def test_official_sender_with_a_program_attached_is_suspicious():
    raw = mail(OFFICIAL, auth=SAMPLES.auth("pass"), attachments=(("a.scr", PE, "application/x"),))
    assert check_message(ENGINE, raw).verdict is Verdict.SUSPICIOUS


def test_password_protected_office_document_is_not_a_disguise():
    # An encrypted .xlsx is an OLE file; this one has no VBA project (its storage renamed).
    ole = SAMPLES.ole_with_vba().replace(b"Attribut", b"Nothing!")
    ole = ole.replace("VBA".encode("utf-16-le"), "XYZ".encode("utf-16-le"))
    raw = mail(attachments=(("bangke.xlsx", ole, "application/vnd.ms-excel"),))
    assert check_message(ENGINE, raw).verdict is Verdict.UNKNOWN


def test_archive_with_too_many_members_is_a_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(1001):
            archive.writestr(f"{number}.txt", b"")
    raw = mail(attachments=(("data.zip", buffer.getvalue(), "application/zip"),))
    assert "archive_bomb" in codes(check_message(ENGINE, raw))


def test_a_program_in_an_archive_inside_an_archive_is_named_by_its_path():
    inner = SAMPLES.zip_of([("virus.exe", PE)])
    outer = SAMPLES.zip_of([("inner.zip", inner)])
    raw = mail(attachments=(("outer.zip", outer, "application/zip"),))
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.SUSPICIOUS
    found = next(r for r in result.reasons if r.code == "archive_contains")
    assert found.params_dict == {
        "name": "outer.zip",
        "member": "inner.zip › virus.exe",
        "count": "1",
    }


def test_text_that_starts_like_a_program_is_not_one():
    raw = mail(attachments=(("ghichu.txt", b"MZ Tower, tang 3", "text/plain"),))
    assert check_message(ENGINE, raw).verdict is Verdict.UNKNOWN


def test_clean_attachments_raise_nothing():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    attachments = (
        ("anh.png", png, "image/png"),
        ("congvan.pdf", SAMPLES.PDF, "application/pdf"),
        ("ghichu.txt", b"ghi chu", "text/plain"),
    )
    result = check_message(
        ENGINE, mail(OFFICIAL, auth=SAMPLES.auth("pass"), attachments=attachments)
    )
    assert result.verdict is Verdict.OFFICIAL
    # Nothing found: the only reason says what was judged (once an empty list, issue 10 A10).
    assert [(r.code, r.params_dict["attachments"]) for r in result.reasons] == [
        ("email_checked", "3")
    ]


# --- damaged, hostile and oversized messages -------------------------------------------------
def test_analysis_continues_after_an_undecodable_part():
    msg = EmailMessage()
    msg["From"] = STRANGER
    msg["Subject"] = "Hỏng"
    msg.set_content("Xin chào")
    msg.add_attachment(b"x", maintype="application", subtype="pdf", filename="a.pdf")
    msg.add_attachment("Tra cứu tại https://vneid-gov.com/xac-thuc", subtype="plain")
    raw = SAMPLES.to_bytes(msg).replace(b"eA==", b"e!A=*=")
    result = check_message(ENGINE, raw)
    assert "undecodable_part" in codes(result)
    assert result.verdict is Verdict.IMPERSONATION
    assert slug(result.lookalike_of) == "web-vneid"


def test_too_large_message_still_has_its_sender_checked():
    raw = mail("Thư công vụ <a@quangninh-gov.vn>") + b"x" * (26 * 1024 * 1024)
    result = check_message(ENGINE, raw)
    assert "too_large" in codes(result)
    # Read up to its headers: its reason says only the sender was checked, no count of links.
    assert "email_checked" not in codes(result)
    assert result.verdict is Verdict.IMPERSONATION
    assert slug(result.lookalike_of) == "mail-thu-cong-vu-quang-ninh"


def test_nesting_beyond_what_the_parser_can_take_safely_is_refused_quickly():
    start = time.monotonic()
    result = check_message(ENGINE, SAMPLES.deep_nesting(2000))
    assert time.monotonic() - start < 2
    assert result.verdict is Verdict.SUSPICIOUS
    assert "too_complex" in codes(result)


def test_too_many_parts():
    msg = EmailMessage()
    msg["From"] = STRANGER
    msg.set_content("x")
    for number in range(600):
        msg.add_attachment(
            b"%PDF-1.4", maintype="application", subtype="pdf", filename=f"{number}.pdf"
        )
    result = check_message(ENGINE, SAMPLES.to_bytes(msg))
    assert "too_many_parts" in codes(result)


def test_message_given_as_text_and_garbage_get_a_verdict():
    as_text = mail(OFFICIAL, auth=SAMPLES.auth("pass")).decode()
    assert check_message(ENGINE, as_text).verdict is Verdict.OFFICIAL
    assert check_message(ENGINE, b"").verdict is Verdict.UNKNOWN
    assert check_message(ENGINE, b"\xff\xfe\x00" * 1000).verdict is Verdict.SUSPICIOUS


def test_label_is_short():
    raw = mail(subject="Rất dài " * 500)
    assert len(check_message(ENGINE, raw).input) <= 160
