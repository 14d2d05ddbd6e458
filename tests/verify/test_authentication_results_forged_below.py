"""Which of the receiving server's Authentication-Results count: the topmost field and the
fields directly below it. A server writes its fields together (one, or one per milter); a
field the sender wrote with the server's authserv-id sits below at least the server's own
Received line and the sender's other headers, and decided any method the top did not report."""

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
TOP = "Authentication-Results: mx.gw.vn; spf=fail smtp.mailfrom=quangninh.gov.vn"
RECEIVED = (
    "Received: from mail.evil.example (mail.evil.example [203.0.113.7]) by mx.gw.vn "
    "with ESMTPS id 4F2B; Mon, 7 Feb 2022 08:30:00 +0700"
)
SENDERS = [  # what the sender wrote, forged field among it
    "Received: from [10.0.0.5] by mail.evil.example; Mon, 7 Feb 2022 08:29:58 +0700",
    "Authentication-Results: mx.gw.vn; dmarc=pass header.from=quangninh.gov.vn",
    "Message-ID: <20220207082958.1@quangninh.gov.vn>",
    "Date: Mon, 7 Feb 2022 08:29:58 +0700",
    "From: Van phong <vanphong@quangninh.gov.vn>",
    "To: canbo@quangninh.gov.vn",
    "Subject: Thong bao",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
]


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def raw(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n\nKinh gui.\n").encode()


def test_a_forged_field_below_the_servers_received_decides_nothing():
    """The finding: the top alone gives unverified_official_sender; the forged DMARC pass
    below made the message official."""
    alone = check_message(ENGINE, raw(TOP, RECEIVED, *SENDERS[:1], *SENDERS[2:]))
    assert alone.verdict is Verdict.SUSPICIOUS
    assert "unverified_official_sender" in codes(alone)
    result = check_message(ENGINE, raw(TOP, RECEIVED, *SENDERS))
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    assert "unverified_official_sender" in codes(result)
    assert result.channel is None


def test_a_forged_field_below_other_headers_of_the_server_decides_nothing():
    result = check_message(
        ENGINE, raw(RECEIVED, TOP, "Received-SPF: fail (mx.gw.vn)", RECEIVED, *SENDERS)
    )
    assert "unverified_official_sender" in codes(result)


def test_a_forged_aligned_signature_below_the_received_line_decides_nothing():
    top = "Authentication-Results: mx.gw.vn; spf=fail smtp.mailfrom=quangninh.gov.vn; dmarc=none"
    forged = "Authentication-Results: mx.gw.vn; dkim=pass header.d=quangninh.gov.vn"
    result = check_message(ENGINE, raw(top, RECEIVED, forged, *SENDERS[2:]))
    assert "unverified_official_sender" in codes(result)


def test_a_signature_without_a_signing_domain_is_not_aligned():
    top = (
        "Authentication-Results: mx.gw.vn; spf=fail smtp.mailfrom=quangninh.gov.vn; "
        "dkim=pass; dmarc=none"
    )
    result = check_message(ENGINE, raw(top, RECEIVED, *SENDERS[2:]))
    assert "unverified_official_sender" in codes(result)


def test_fields_the_server_writes_together_still_count():
    """One field per milter, directly below one another: each method from its own field."""
    fields = [
        "Authentication-Results: mx.gw.vn; spf=fail smtp.mailfrom=lists.example",
        "Authentication-Results: mx.gw.vn; dkim=pass header.d=quangninh.gov.vn",
        "Authentication-Results: mx.gw.vn; dmarc=pass header.from=quangninh.gov.vn",
    ]
    result = check_message(ENGINE, raw(*fields, RECEIVED, *SENDERS[2:]))
    assert result.verdict is Verdict.OFFICIAL, codes(result)
    fail = "Authentication-Results: mx.gw.vn; dmarc=fail header.from=quangninh.gov.vn"
    result = check_message(ENGINE, raw(*fields[:2], fail, RECEIVED, *SENDERS[2:]))
    assert result.verdict is Verdict.IMPERSONATION


def test_a_header_block_cut_to_its_limits_does_not_join_the_forged_field_to_the_servers():
    """Over 500 fields, Received lines beyond the 20th are dropped; the server's own below
    its field must stay, or the sender's field below it would join the server's run."""
    above = [f"Received: by relay{n}.gw.vn; Mon, 7 Feb 2022 08:30:{n:02d} +0700" for n in range(25)]
    above += [f"X-Gateway-Note-{n}: scanned" for n in range(480)]
    result = check_message(ENGINE, raw(*above, TOP, RECEIVED, *SENDERS))
    assert "headers_too_large" in codes(result)
    assert "unverified_official_sender" in codes(result), codes(result)
    assert result.channel is None
