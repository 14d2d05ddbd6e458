"""Which of the receiving server's Authentication-Results count. Proof (a pass that makes the
sender official) comes only from the topmost field, the one the server wrote last; the fields
of the same server directly below it (its run) may only count against the sender. A field the
sender wrote with the server's authserv-id sits below at least the server's own Received line
and the sender's other headers, and decides nothing; in Gmail's layout it sits directly below
the server's field, joins the run, and still proves nothing."""

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


def test_fields_the_server_writes_together_prove_only_from_the_top():
    """One field per milter, directly below one another: the top one proves (DMARC, added
    last), the others may only count against the sender. A pass in a field below the top is
    no proof, even from the server: the sender can write the same field there (Gmail's layout,
    below). This test once had the DKIM and DMARC passes below an SPF failure make the message
    official; that was the weakness."""
    fields = [
        "Authentication-Results: mx.gw.vn; dmarc=pass header.from=quangninh.gov.vn",
        "Authentication-Results: mx.gw.vn; dkim=pass header.d=quangninh.gov.vn",
        "Authentication-Results: mx.gw.vn; spf=fail smtp.mailfrom=lists.example",
    ]
    result = check_message(ENGINE, raw(*fields, RECEIVED, *SENDERS[2:]))
    assert result.verdict is Verdict.OFFICIAL, codes(result)
    result = check_message(ENGINE, raw(*reversed(fields), RECEIVED, *SENDERS[2:]))
    assert result.verdict is Verdict.SUSPICIOUS, codes(result)
    assert "unverified_official_sender" in codes(result)
    fail = "Authentication-Results: mx.gw.vn; dmarc=fail header.from=quangninh.gov.vn"
    result = check_message(ENGINE, raw(fields[2], fields[1], fail, RECEIVED, *SENDERS[2:]))
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


# --- Gmail's layout: the server's field sits directly above the sender's headers -------------
GMAIL_TOP = [
    "Received: from mail.evil.top (mail.evil.top. [203.0.113.7]) by mx.google.com with ESMTPS "
    "id a1si2b3c4d5e6f.7.2022.02.07.01.30.00; Mon, 07 Feb 2022 01:30:00 -0800 (PST)",
    "Received-SPF: pass (google.com: domain of bounce@evil.top designates 203.0.113.7 as "
    "permitted sender) client-ip=203.0.113.7;",
    "Authentication-Results: mx.google.com; spf=pass (google.com: domain of bounce@evil.top "
    "designates 203.0.113.7 as permitted sender) smtp.mailfrom=bounce@evil.top",
]
GMAIL_FORGED = (
    "Authentication-Results: mx.google.com; dkim=pass header.i=@quangninh.gov.vn "
    "header.s=s1 header.b=Qx7Rt2aB; dmarc=pass (p=NONE sp=NONE dis=NONE) "
    "header.from=quangninh.gov.vn"
)
GMAIL_SENDER = [
    "From: Van phong UBND tinh <vanphong@quangninh.gov.vn>",
    "To: canbo@quangninh.gov.vn",
    "Subject: Thong bao nop ho so",
    "Date: Mon, 7 Feb 2022 16:29:58 +0700",
    "Message-ID: <20220207162958.1@quangninh.gov.vn>",
]


def test_a_forged_field_directly_below_gmails_own_proves_nothing():
    """The finding (H3): Gmail writes its field directly above the sender's headers, so a
    field the sender placed first among them, with Gmail's authserv-id, joined the server's
    and supplied the DKIM and DMARC passes Gmail never reported: official. Proof comes only
    from the topmost field, here an SPF pass for the attacker's own domain."""
    alone = check_message(ENGINE, raw(*GMAIL_TOP, *GMAIL_SENDER))
    assert alone.verdict is Verdict.UNKNOWN
    assert "unconfirmed_official_sender" in codes(alone)
    result = check_message(ENGINE, raw(*GMAIL_TOP, GMAIL_FORGED, *GMAIL_SENDER))
    assert result.verdict is Verdict.UNKNOWN, codes(result)
    assert "unconfirmed_official_sender" in codes(result)
    assert result.channel is None
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)


def test_a_forged_field_cannot_add_a_pass_to_a_method_the_top_field_failed_to_prove():
    """The top reports DKIM for a mailing service and no DMARC; the field below it brings an
    aligned DKIM pass and a DMARC pass: neither is proof."""
    top = (
        "Authentication-Results: mx.google.com; dkim=pass header.i=@bulk-mailer.example; "
        "spf=pass smtp.mailfrom=bounce@evil.top"
    )
    result = check_message(ENGINE, raw(*GMAIL_TOP[:2], top, GMAIL_FORGED, *GMAIL_SENDER))
    assert result.verdict is Verdict.UNKNOWN, codes(result)
    assert "unconfirmed_official_sender" in codes(result)


def test_gmails_own_proof_on_top_is_still_official():
    top = (
        "Authentication-Results: mx.google.com; dkim=pass header.i=@quangninh.gov.vn "
        "header.s=s1; spf=pass smtp.mailfrom=vanphong@quangninh.gov.vn; dmarc=pass "
        "(p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=quangninh.gov.vn"
    )
    result = check_message(ENGINE, raw(*GMAIL_TOP[:2], top, *GMAIL_SENDER))
    assert result.verdict is Verdict.OFFICIAL, codes(result)
    assert result.channel is not None and result.channel.slug == "mail-thu-cong-vu-quang-ninh"


def test_a_failure_in_a_field_below_the_top_still_counts_against_the_sender():
    """A failure can only make the answer safer: one in the server's run of fields counts even
    when the top field reported a pass for the same method."""
    top = (
        "Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=quangninh.gov.vn; "
        "dmarc=pass header.from=quangninh.gov.vn"
    )
    below = "Authentication-Results: mx.google.com; dmarc=fail header.from=quangninh.gov.vn"
    result = check_message(ENGINE, raw(*GMAIL_TOP[:2], top, below, *GMAIL_SENDER))
    assert result.verdict is Verdict.IMPERSONATION, codes(result)
    assert "forged_official_sender" in codes(result)


def test_a_broken_second_signature_below_does_not_undo_the_tops_dkim_pass():
    """One field per signature (OpenDKIM): an aligned pass on top wins over an aligned
    failure below, as it does within one field."""
    top = "Authentication-Results: mx.gw.vn; dkim=pass header.d=quangninh.gov.vn; spf=none"
    below = "Authentication-Results: mx.gw.vn; dkim=fail header.d=quangninh.gov.vn"
    result = check_message(ENGINE, raw(top, below, RECEIVED, *SENDERS[2:]))
    assert result.verdict is Verdict.OFFICIAL, codes(result)
