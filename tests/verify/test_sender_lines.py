"""A pasted sender line is one sender input, spaces or not: mailboxes separated by commas, a
group ("Nhóm: a@b, c@d;"), comments, angle brackets and names, with a header name before it.
Read as a text, its official part outranked the stranger's one; read as a sender line, it is
the mailbox mail programs show (x@evil.com) or several senders. A mailto link that adds
recipients in its query is several addresses too."""

import pytest

from chinhthong.verify.engine import Engine, detect_kind
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mailboxes import mailboxes
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def test_a_comment_after_a_strangers_mailbox_is_its_name():
    """The finding: kind text, verdict official."""
    result = ENGINE.check("x@evil.com (vanphong@quangninh.gov.vn)")
    assert result.kind == "address"
    assert result.verdict is Verdict.IMPERSONATION, codes(result)
    assert "display_name" in codes(result)
    assert result.channel is None


@pytest.mark.parametrize(
    "line",
    [
        "From: x@evil.com, vanphong@quangninh.gov.vn",
        "x@evil.com, vanphong@quangninh.gov.vn",
        "x@evil.com , vanphong@quangninh.gov.vn",
        "Nhóm: x@evil.com, vanphong@quangninh.gov.vn;",
        "Nhóm: x@evil.com, vanphong@quangninh.gov.vn",
        "From: Nhóm: x@evil.com, Van phong <vanphong@quangninh.gov.vn>;",
        '"Nhóm A": x@evil.com (Ke gian), vanphong@quangninh.gov.vn (Van phong);',
        "x@evil.com (a, b), vanphong@quangninh.gov.vn",
    ],
)
def test_a_sender_line_with_spaces_naming_several_mailboxes_is_several_senders(line):
    """The finding: each was kind text, verdict official."""
    assert detect_kind(line) == "address"
    result = ENGINE.check(line)
    assert result.kind == "address"
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    several = next(r for r in result.reasons if r.code == "several_senders")
    assert several.params_dict["addresses"] == "x@evil.com, vanphong@quangninh.gov.vn"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Nhóm: a@b.vn, c@d.vn;", [("Nhóm", "a@b.vn"), ("Nhóm", "c@d.vn")]),
        ("From: Nhóm: A <a@b.vn>;", [("Nhóm A", "a@b.vn")]),
        ("a@b.vn; Nhóm: c@d.vn;", [("", "a@b.vn"), ("Nhóm", "c@d.vn")]),
        ("undisclosed-recipients:;", []),
        ('"a: b" <a@b.vn>', [("a: b", "a@b.vn")]),
        ("A <a:b@c.vn>", [("A", "a:b@c.vn")]),
    ],
)
def test_groups_are_read_as_mail_programs_read_them(line, expected):
    """The group's name is shown with its mailboxes, so it is part of their names."""
    assert mailboxes(line) == expected


def test_a_group_named_with_an_official_address_is_impersonation():
    result = ENGINE.check("vanphong@quangninh.gov.vn: x@evil.com;")
    assert result.kind == "address"
    assert result.verdict is Verdict.IMPERSONATION
    assert "display_name" in codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "Liên hệ vanthu@quangninh.gov.vn hoặc hotro@moh.gov.vn.",
        "Gửi tới x@evil.com, vanphong@quangninh.gov.vn",
        "x@evil.com và vanphong@quangninh.gov.vn",
        "vanphong@quangninh.gov.vn là địa chỉ chính thống",
    ],
)
def test_sentences_with_addresses_stay_texts(text):
    assert detect_kind(text) == "text"


@pytest.mark.parametrize(
    "line",
    [
        "x@evil.com vanphong@quangninh.gov.vn",
        '"vanphong@quangninh.gov.vn" x@evil.com',
        "From: x@evil.com (Ke gian) vanphong@quangninh.gov.vn",
    ],
)
def test_a_line_of_addresses_alone_is_no_official_sender(line):
    """Read as a text, the official address outranked the stranger's."""
    result = ENGINE.check(line)
    assert result.kind == "address"
    assert result.verdict is not Verdict.OFFICIAL, codes(result)
    assert result.channel is None


def test_one_official_mailbox_with_a_comment_is_official():
    assert ENGINE.check("vanphong@quangninh.gov.vn (Van phong UBND)").verdict is Verdict.OFFICIAL


@pytest.mark.parametrize(
    "link",
    [
        "mailto:x@quangninh.gov.vn?to=y@evil.com",
        "mailto:x@quangninh.gov.vn?subject=Hi&cc=y@evil.com",
        "mailto:x@quangninh.gov.vn?BCC=y%40evil.com",
        "mailto:x@quangninh.gov.vn?%74o=y@evil.com",
        "mailto:?to=x@quangninh.gov.vn,y@evil.com",
    ],
)
def test_a_mailto_link_adding_recipients_is_several_addresses(link):
    """The finding: answered official."""
    result = ENGINE.check(link)
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    assert "several_senders" in codes(result)
    assert result.channel is None


def test_a_mailto_link_with_a_subject_only_is_still_official():
    result = ENGINE.check("mailto:vanphong@quangninh.gov.vn?subject=Hoi%20dap&body=Xin%20chao")
    assert result.verdict is Verdict.OFFICIAL
    assert ENGINE.check("mailto:?to=vanphong@quangninh.gov.vn").verdict is Verdict.OFFICIAL
