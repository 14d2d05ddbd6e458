"""Hosts no DNS name can be: answered at once as suspicious, never compared label by label.

The finding: a host of thousands of labels cost 0.2–0.5 s to compare with the registry, so a
batch of them, or a message of 200 such links, held a web worker for seconds.
"""

from email.message import EmailMessage

import pytest

from chinhthong.verify.mail import check_message
from chinhthong.verify.results import Verdict
from tests.verify.engines import corpus_engine

ENGINE = corpus_engine()


def _codes(result) -> set[str]:
    return {r.code for r in result.reasons}


@pytest.mark.parametrize(
    "link",
    [
        "http://" + ".".join(["a"] * 4000) + ".com/",
        "https://" + ".".join(["quangninh"] * 30) + ".gov.vn/",  # 299 characters
        "https://" + "a" * 64 + ".vn/",  # a label longer than 63
        "https://" + "x" * 9000 + ".quangninh.gov.vn/",
    ],
)
def test_a_host_longer_than_dns_allows_is_suspicious(link):
    result = ENGINE.check(link)
    assert result.verdict is Verdict.SUSPICIOUS
    assert _codes(result) == {"host_not_dns"}
    shown = dict(result.reasons[0].params)["host"]
    assert len(shown) <= 80  # the answer does not repeat kilobytes of host


@pytest.mark.parametrize(
    "link",
    [
        "https://" + "a" * 63 + ".vn/",
        "https://" + ".".join(["b" * 61] * 4) + ".vn/",  # 250 characters
    ],
)
def test_hosts_at_the_limits_are_judged_as_usual(link):
    assert "host_not_dns" not in _codes(ENGINE.check(link))


def test_a_message_of_links_on_endless_hosts_is_answered_suspicious():
    message = EmailMessage()
    message["From"] = "Thông báo <tb@example.com>"
    message["To"] = "canbo@quangninh.gov.vn"
    message["Subject"] = "Nhiều liên kết"
    hosts = [".".join([f"l{i}"] * 700) + ".com" for i in range(200)]
    message.set_content("\n".join(f"https://{h}/x" for h in hosts))
    result = check_message(ENGINE, message.as_bytes())
    assert result.verdict is Verdict.SUSPICIOUS
    assert "host_not_dns" in {c for part in result.parts for c in _codes(part)} | _codes(result)


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        ("Liên hệ vanthu@quangninh.gov.vn hoặc hotro@moh.gov.vn.", 2),
        ("Gửi tới " + "a" * 64 + "@example.vn", 1),  # 64 before the @: the most RFC 5321 allows
        ("Gửi tới " + "a" * 65 + "@example.vn", 0),
        ("Xem chi tiết tại " + "a." * 4990, 0),  # the run a batch of the attack bench sent
    ],
)
def test_addresses_in_a_text_are_found_as_rfc_5321_bounds_them(text, addresses):
    result = ENGINE.check(text)
    found = [p for p in result.parts if p.kind == "address"]
    assert len(found) == addresses
