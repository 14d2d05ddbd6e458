"""An encoded word is no address. RFC 2047 section 5 forbids encoded words inside an
addr-spec, but Python's policy.default decodes them there without a defect:
``vanphong@=?utf-8?q?quangninh.gov.vn?=`` was read as vanphong@quangninh.gov.vn and answered
official, while the receiving server checked (and failed) another domain."""

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.reasons import english
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
ENCODED = [
    "vanphong@=?utf-8?q?quangninh.gov.vn?=",
    "x@=?utf-8?b?cXVhbmduaW5oLmdvdi52bg==?=",
    "x@=?iso-8859-1?q?quangninh=2Egov=2Evn?=",
    "=?utf-8?q?vanphong?=@quangninh.gov.vn",
    "Van phong <vanphong@=?utf-8?q?quangninh.gov.vn?=>",
    "=?utf-8?q?Van_phong?= <x@=?utf-8?q?quangninh.gov.vn?=>",
]


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def message(sender: str, auth: str) -> bytes:
    return (
        f"Authentication-Results: {auth}\n"
        "Received: from mail.evil.example by mx.gw.vn; Mon, 7 Feb 2022 08:30:00 +0700\n"
        f"From: {sender}\nTo: canbo@quangninh.gov.vn\nSubject: Thong bao\n\nKinh gui.\n"
    ).encode()


@pytest.mark.parametrize("sender", ENCODED)
def test_a_from_address_in_an_encoded_word_is_not_official(sender):
    """The finding: answered official, the DMARC fail read as another domain's."""
    domain = sender.rpartition("@")[2].rstrip(">")
    raw = message(sender, f"mx.gw.vn; dmarc=fail header.from={domain}")
    result = check_message(ENGINE, raw)
    # suspicious; impersonation when the domain is the official one and DMARC failed
    assert result.verdict in (Verdict.SUSPICIOUS, Verdict.IMPERSONATION), codes(result)
    assert result.channel is None
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)
    assert "encoded_address" in codes(result.parts[0])


@pytest.mark.parametrize("sender", ENCODED)
def test_a_from_address_in_an_encoded_word_without_results_is_not_official(sender):
    result = check_message(ENGINE, message(sender, "mx.gw.vn; spf=none"))
    assert result.verdict is Verdict.SUSPICIOUS
    assert "encoded_address" in codes(result.parts[0])


@pytest.mark.parametrize("sender", ENCODED)
def test_a_pasted_address_in_an_encoded_word_is_suspicious(sender):
    result = ENGINE.check(sender)
    assert result.kind == "address"
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    assert "encoded_address" in codes(result)
    found = next(r for r in result.reasons if r.code == "encoded_address")
    assert "%(" not in english(found.code, found.params_dict)


def test_an_encoded_display_name_is_still_decoded():
    sender = "=?utf-8?b?VsSDbiBwaMOybmcgVUJORA==?= <vanphong@quangninh.gov.vn>"
    raw = message(sender, "mx.gw.vn; dmarc=pass header.from=quangninh.gov.vn")
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.OFFICIAL, codes(result)
    assert result.input.startswith("Văn phòng UBND <vanphong@quangninh.gov.vn>")
