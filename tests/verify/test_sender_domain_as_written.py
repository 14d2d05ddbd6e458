"""A sender's domain is the domain as written. Browsers fold a link's host as IDNA/UTS-46 does
(full-width letters, "。" as a dot, zero-width spaces dropped), but mail programs and DMARC
checkers do not: x@ｑｕａｎｇｎｉｎｈ.gov.vn is another (invalid) domain than quangninh.gov.vn,
so it is an imitation of the official one, never the official channel."""

import unicodedata

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.mailboxes import written_as
from chinhthong.verify.reasons import TEXTS, english
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document, engine_with

ENGINE = Engine(RegistryIndex.from_document(default_document()))
MAIL_CHANNEL = "mail-thu-cong-vu-quang-ninh"
DISGUISED = [
    "x@ｑｕａｎｇｎｉｎｈ.gov.vn",  # full-width letters
    "x@quangninh。gov。vn",  # ideographic full stops
    "x@quangninh．gov．vn",  # full-width full stops
    "x@quang\u200bninh.gov.vn",  # a zero-width space
    "x@quang\u00adninh.gov.vn",  # a soft hyphen
    "vanphong@QUANGNINH.GOV.ＶＮ",
    "x@ｓｙｔ.quangninh.gov.vn",  # under the official domain
]


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


@pytest.mark.parametrize("address", DISGUISED)
def test_a_domain_that_only_folds_to_the_official_one_is_an_imitation(address):
    """The finding: each was answered official (official_mail_domain)."""
    result = ENGINE.check(address)
    assert result.kind == "address"
    assert result.verdict is Verdict.IMPERSONATION, codes(result)
    assert codes(result) == {"disguised_sender_domain"}
    assert result.channel is None
    assert result.lookalike_of is not None and result.lookalike_of.slug == MAIL_CHANNEL
    found = result.reasons[0]
    assert found.params_dict["official"].endswith("quangninh.gov.vn")
    text = english(found.code, found.params_dict)
    assert "%(" not in text
    assert "\u200b" not in text and "\u00ad" not in text  # invisible characters are named


@pytest.mark.parametrize(
    "address",
    [
        "x@quangninh.gov.vn",
        "x@QuangNinh.Gov.VN",
        "mailto:x@quangninh.gov.vn",
        "Văn phòng <vanphong@quangninh.gov.vn>",
        "x@syt.quangninh.gov.vn",
    ],
)
def test_the_official_domain_written_as_it_is_stays_official(address):
    assert ENGINE.check(address).verdict is Verdict.OFFICIAL


def test_an_official_internationalised_domain_is_official_as_its_u_label_or_a_label():
    engine = engine_with(
        [
            {
                "slug": "mail-so-y-te-idn",
                "name": "Thư Sở Y tế (IDN)",
                "kind": "mail_domain",
                "agency": "ubnd-tinh-quang-ninh",
                "host": "sởytế.vn",
                "status": "active",
            }
        ]
    )
    ascii_host = next(
        host for host, ref in engine.index.mail_domains.items() if ref.slug == "mail-so-y-te-idn"
    )
    for address in (f"a@{ascii_host}", f"a@{ascii_host.upper()}", "a@sởytế.vn"):
        assert engine.check(address).verdict is Verdict.OFFICIAL, address
    decomposed = unicodedata.normalize("NFD", "a@sởytế.vn")  # accents as combining marks
    for address in ("a@SỞYTẾ.vn", decomposed, "a@sởytế。vn"):
        result = engine.check(address)
        assert result.verdict is Verdict.IMPERSONATION, (address, codes(result))
        assert "disguised_sender_domain" in codes(result)


def test_written_as():
    assert written_as("QuangNinh.gov.vn", "quangninh.gov.vn")
    assert not written_as("quangninh.gov.vn.", "quangninh.gov.vn")
    assert not written_as("ｑｕａｎｇｎｉｎｈ.gov.vn", "quangninh.gov.vn")


def message(sender: str, *auth: str) -> bytes:
    head = [f"Authentication-Results: {value}" for value in auth]
    head += [
        "Received: from mail.evil.example by mx.gw.vn; Mon, 7 Feb 2022 08:30:00 +0700",
        f"From: {sender}",
        "To: canbo@quangninh.gov.vn",
        "Subject: Thong bao",
    ]
    return ("\n".join(head) + "\n\nKinh gui.\n").encode()


def test_a_message_from_a_zero_width_domain_failing_dmarc_is_not_official():
    """The finding: official with no reasons, the DMARC fail read as another domain's."""
    domain = "quang\u200bninh.gov.vn"
    raw = message(f"x@{domain}", f"mx.gw.vn; spf=none; dmarc=fail header.from={domain}")
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.IMPERSONATION, codes(result)
    assert result.channel is None
    assert result.lookalike_of is not None and result.lookalike_of.slug == MAIL_CHANNEL
    assert "disguised_sender_domain" in codes(result.parts[0])
    assert "auth_failed" in codes(result)  # the fail is this domain's, as written


@pytest.mark.parametrize("address", DISGUISED)
def test_a_message_from_a_disguised_domain_without_results_is_not_official(address):
    result = check_message(ENGINE, message(address))
    assert result.verdict is Verdict.IMPERSONATION, codes(result)
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)


def test_dmarc_of_the_official_domain_does_not_confirm_a_disguised_one():
    raw = message(
        "x@ｑｕａｎｇｎｉｎｈ.gov.vn",
        "mx.gw.vn; spf=pass smtp.mailfrom=quangninh.gov.vn; dkim=pass header.d=quangninh.gov.vn;"
        " dmarc=pass header.from=quangninh.gov.vn",
    )
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.IMPERSONATION


def test_a_reply_to_on_a_disguised_domain_is_elsewhere():
    raw = message("vanphong@quangninh.gov.vn").replace(
        b"To: ", "Reply-To: x@ｑｕａｎｇｎｉｎｈ.gov.vn\nTo: ".encode()
    )
    result = check_message(ENGINE, raw)
    assert "reply_to_elsewhere" in codes(result)


def test_the_new_reason_has_a_text():
    assert "disguised_sender_domain" in TEXTS
