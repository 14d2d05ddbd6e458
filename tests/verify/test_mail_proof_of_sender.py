"""No green tick without proof (issue 10, A8): an official From line makes a message official
only when the receiving server confirmed it (DMARC passed, or SPF or DKIM passed for the From
domain). Anyone can write a From line; a message without Authentication-Results, or whose
results confirm nothing for that domain, only claims to come from it."""

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.reasons import english
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
SENDER = "Van phong UBND tinh <vanphong@quangninh.gov.vn>"
MX = "mx.quangninh.gov.vn"


def message(*results: str, sender: str = SENDER) -> bytes:
    head = [f"Authentication-Results: {value}" for value in results]
    head += [f"From: {sender}", "To: canbo@quangninh.gov.vn", "Subject: Thong bao nop ho so"]
    return ("\n".join(head) + "\n\nDe nghi nop ho so truoc ngay 10.\n").encode()


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def test_a_hand_written_official_from_line_is_not_official():
    """The finding: a message with nothing but an official From line was answered official."""
    result = check_message(ENGINE, message())
    assert result.verdict is Verdict.UNKNOWN
    assert result.channel is None
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)
    claim = next(r for r in result.reasons if r.code == "unauthenticated_sender")
    assert claim.verdict is Verdict.UNKNOWN
    assert claim.params_dict == {
        "address": "vanphong@quangninh.gov.vn",
        "domain": "quangninh.gov.vn",
        "agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
    }
    text = english(claim.code, claim.params_dict)
    assert "claims to come from vanphong@quangninh.gov.vn" in text
    assert "cannot be verified" in text
    assert "Show original" in text  # what the reader can do


def test_the_from_part_says_why_it_is_not_official():
    (part,) = check_message(ENGINE, message()).parts
    assert part.verdict is Verdict.UNKNOWN
    assert [r.code for r in part.reasons] == ["unauthenticated_sender"]


@pytest.mark.parametrize(
    "results",
    [
        f"{MX}; spf=none smtp.mailfrom=quangninh.gov.vn; dkim=none; dmarc=none",
        f"{MX}; spf=softfail smtp.mailfrom=quangninh.gov.vn",
        f"{MX}; none",
        # a pass for another domain: the envelope of a mailing service, its signature
        f"{MX}; spf=pass smtp.mailfrom=bounce.bulk-mailer.example; dmarc=none",
        f"{MX}; dkim=pass header.d=bulk-mailer.example; dmarc=none",
        f"{MX}; spf=pass; dkim=pass; dmarc=none",  # a pass naming no domain proves nothing
        f"{MX}; dmarc=pass header.from=shop-example.com",
    ],
)
def test_results_that_confirm_nothing_for_the_domain_are_no_proof(results):
    result = check_message(ENGINE, message(results))
    assert result.verdict is Verdict.UNKNOWN, codes(result)
    assert "unconfirmed_official_sender" in codes(result)
    assert result.channel is None


@pytest.mark.parametrize(
    "results",
    [
        f"{MX}; dmarc=pass header.from=quangninh.gov.vn",
        f"{MX}; dkim=pass header.d=quangninh.gov.vn; dmarc=none",
        f"{MX}; dkim=pass header.i=@quangninh.gov.vn",
        f"{MX}; spf=pass smtp.mailfrom=vanphong@quangninh.gov.vn; dmarc=none",
        f"{MX}; spf=pass smtp.mailfrom=bounce@mail.quangninh.gov.vn",
        "spf=pass (sender IP is 203.0.113.7) smtp.mailfrom=quangninh.gov.vn; dkim=none "
        "(message not signed) header.d=none;dmarc=bestguesspass action=none "
        "header.from=quangninh.gov.vn;compauth=pass reason=109",
    ],
)
def test_a_confirmed_official_sender_is_official(results):
    result = check_message(ENGINE, message(results))
    assert result.verdict is Verdict.OFFICIAL, codes(result)
    assert result.channel.slug == "mail-thu-cong-vu-quang-ninh"


def test_a_stranger_without_results_is_unknown_as_before():
    result = check_message(ENGINE, message(sender="Shop <hotro@shop-example.com>"))
    assert result.verdict is Verdict.UNKNOWN
    assert not codes(result) & {"unauthenticated_sender", "unconfirmed_official_sender"}
