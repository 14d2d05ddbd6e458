"""A sender as mail programs read it: the address in the last angle brackets is the mailbox,
everything else on the line is the name a reader sees. Whatever official address the name
shows, a stranger's mailbox is not official; neither is an address no real mailbox can have,
nor a line naming several mailboxes."""

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.mailboxes import mailboxes
from chinhthong.verify.reasons import TEXTS, english
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
MAIL_CHANNEL = "mail-thu-cong-vu-quang-ninh"


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def slug(ref):
    return ref.slug if ref else None


@pytest.mark.parametrize(
    "sender",
    [
        '"vanphong@quangninh.gov.vn" <x@evil.com>',  # the quoted form, impersonation before
        "vanphong@quangninh.gov.vn <x@evil.com>",
        "Van phong vanphong@quangninh.gov.vn <x@evil.com>",
        "UBND tinh <vanphong@quangninh.gov.vn> <x@evil.com>",
        "From: vanphong@quangninh.gov.vn <x@evil.com>",
        "vanphong@quangninh.gov.vn<x@evil.com>",
    ],
)
def test_an_official_address_shown_as_the_name_of_a_strangers_mailbox(sender):
    """The finding: every unquoted form was answered official (official_mail_domain)."""
    result = ENGINE.check(sender)
    assert result.kind == "address"
    assert result.verdict is Verdict.IMPERSONATION, [
        (r.code, r.params_dict) for r in result.reasons
    ]
    assert "display_name" in codes(result)
    assert "official_mail_domain" not in codes(result)
    assert slug(result.lookalike_of) == MAIL_CHANNEL
    assert result.channel is None
    named = next(r for r in result.reasons if r.code == "display_name")
    assert named.params_dict["address"] == "x@evil.com"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vanphong@quangninh.gov.vn <x@evil.com>", [("vanphong@quangninh.gov.vn", "x@evil.com")]),
        ('"A, B <c@d.vn>" <x@evil.com>', [("A, B <c@d.vn>", "x@evil.com")]),
        ("Nguyen, Van A <x@evil.com>", [("Van A", "x@evil.com")]),
        ("a@quangninh.gov.vn, b@evil.com", [("", "a@quangninh.gov.vn"), ("", "b@evil.com")]),
        ("vanphong@quangninh.gov.vn (Van phong)", [("Van phong", "vanphong@quangninh.gov.vn")]),
        ("Sender: <x@evil.com>", [("", "x@evil.com")]),
        ("Ten <x@evil.com", [("Ten", "x@evil.com")]),
        ("no address", []),
    ],
)
def test_mailboxes_are_read_as_mail_programs_read_them(text, expected):
    assert mailboxes(text) == expected


def test_the_real_official_mailbox_with_its_name_is_still_official():
    for sender in (
        "Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>",
        '"vanphong@quangninh.gov.vn" <vanphong@quangninh.gov.vn>',
        "From: vanphong@quangninh.gov.vn",
        "vanphong@quangninh.gov.vn",
        "mailto:vanphong@quangninh.gov.vn",
        "vanphong@quangninh.gov.vn (Van phong)",
        "o'neil+tin-tuc_2024@quangninh.gov.vn",
    ):
        result = ENGINE.check(sender)
        assert result.verdict is Verdict.OFFICIAL, (sender, codes(result))


@pytest.mark.parametrize(
    "address",
    [
        "evil.com\\@quangninh.gov.vn",  # the finding: a browser opens evil.com
        "evil.com/@quangninh.gov.vn",  # pasted alone, this is a link to evil.com
        "evil.com?@quangninh.gov.vn",
        "evil.com#@quangninh.gov.vn",
        "x%evil.com@quangninh.gov.vn",
        '"evil.com\\\\"@quangninh.gov.vn',
        '"van phong"@quangninh.gov.vn',
    ],
)
def test_an_address_no_real_mailbox_has_is_not_official(address):
    assert ENGINE.check(address).verdict is not Verdict.OFFICIAL
    result = ENGINE.check_address(address)
    assert result.verdict is Verdict.SUSPICIOUS, (address, codes(result))
    assert "malformed_address" in codes(result)
    assert result.channel is None
    found = next(r for r in result.reasons if r.code == "malformed_address")
    assert "%(" not in english(found.code, found.params_dict)


@pytest.mark.parametrize(
    "sender",
    [
        "x@evil.com,vanphong@quangninh.gov.vn",
        "Ke gian <x@evil.com>, Van phong <vanphong@quangninh.gov.vn>",
        "vanphong@quangninh.gov.vn, <x@evil.com>",
    ],
)
def test_a_line_naming_several_mailboxes_is_not_one_official_sender(sender):
    result = ENGINE.check(sender)
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    several = next(r for r in result.reasons if r.code == "several_senders")
    assert "x@evil.com" in several.params_dict["addresses"]
    assert "vanphong@quangninh.gov.vn" in several.params_dict["addresses"]


def test_several_mailboxes_still_show_a_lookalike():
    result = ENGINE.check_address("a@shop-example.com, b@quangninh-gov.vn")
    assert result.verdict is Verdict.IMPERSONATION
    assert "several_senders" in codes(result)


# --- the same senders in a whole message ------------------------------------------------------
def message(sender: str) -> bytes:
    return f"From: {sender}\nTo: canbo@quangninh.gov.vn\nSubject: Thong bao\n\nXin chao.\n".encode()


def test_a_message_from_several_authors_is_not_official():
    """The finding: `From: x@evil.com, vanphong@quangninh.gov.vn` was answered official."""
    result = check_message(ENGINE, message("x@evil.com, vanphong@quangninh.gov.vn"))
    assert result.verdict is Verdict.SUSPICIOUS
    assert result.channel is None
    several = next(r for r in result.reasons if r.code == "several_senders")
    assert several.params_dict["addresses"] == "x@evil.com, vanphong@quangninh.gov.vn"


@pytest.mark.parametrize(
    "sender",
    [
        "vanphong@quangninh.gov.vn <x@evil.com>",
        "Van phong vanphong@quangninh.gov.vn <x@evil.com>",
        "UBND tinh <vanphong@quangninh.gov.vn> <x@evil.com>",
    ],
)
def test_a_message_whose_from_shows_an_official_address_as_the_name(sender):
    result = check_message(ENGINE, message(sender))
    assert result.verdict is Verdict.IMPERSONATION
    assert slug(result.lookalike_of) == MAIL_CHANNEL
    assert "display_name_address" in codes(result)
    assert result.parts[0].verdict is not Verdict.OFFICIAL
    assert result.parts[0].input.endswith("<x@evil.com>")


@pytest.mark.parametrize(
    "sender", ["evil.com\\@quangninh.gov.vn", '"evil.com\\\\"@quangninh.gov.vn']
)
def test_a_message_from_an_address_no_mailbox_has_is_not_official(sender):
    result = check_message(ENGINE, message(sender))
    assert result.verdict is Verdict.SUSPICIOUS
    assert "malformed_address" in {r.code for r in result.parts[0].reasons}
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)


def test_new_reasons_read_as_sentences():
    for code in ("malformed_address", "several_senders"):
        assert code in TEXTS


def test_an_official_address_before_a_strangers_domain_is_an_imitation():
    """vanphong@quangninh.gov.vn@evil.com: the mailbox is at evil.com; what comes before the
    last @ only shows the official address."""
    result = ENGINE.check_address("vanphong@quangninh.gov.vn@evil.com")
    assert result.verdict is Verdict.IMPERSONATION
    assert {"malformed_address", "official_domain_in_local_part"} <= codes(result)
    assert result.channel is None and result.lookalike_of.identifier == "quangninh.gov.vn"
