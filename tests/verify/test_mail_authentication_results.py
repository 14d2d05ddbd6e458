"""Which Authentication-Results of a message are believed (RFC 8601 section 5): the receiving
server's own fields are the topmost ones; a field lower down with the same authserv-id may have
been written by the sender, so only the topmost field proves anything, and the fields of the
same server directly below it may only count against the sender."""

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
MX = "mx.google.com"
RECEIVED = (
    "from mail.evil.example (mail.evil.example [203.0.113.7]) by mx.google.com; "
    "Mon, 7 Feb 2022 08:30:00 +0700"
)
FORGED_PASS = (
    f"{MX}; dkim=pass header.d=quangninh.gov.vn; spf=pass smtp.mailfrom=quangninh.gov.vn; "
    "dmarc=pass header.from=quangninh.gov.vn"
)


def message(*fields: tuple[str, str], sender="Van phong <vanphong@quangninh.gov.vn>") -> bytes:
    head = [f"{name}: {value}" for name, value in fields]
    head += [f"From: {sender}", "To: canbo@quangninh.gov.vn", "Subject: Thong bao"]
    return ("\n".join(head) + "\n\nKinh gui quy anh chi.\n").encode()


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def test_a_forged_pass_below_the_receiving_servers_fail_is_ignored():
    """The finding: the receiving server's field on top says DMARC failed; a field the sender
    wrote with the same authserv-id, below a Received line, said everything passed, and the
    message was answered official."""
    receiving = f"{MX}; dkim=none; spf=softfail; dmarc=fail header.from=quangninh.gov.vn"
    alone = check_message(ENGINE, message(("Authentication-Results", receiving)))
    assert alone.verdict is Verdict.IMPERSONATION and "forged_official_sender" in codes(alone)
    raw = message(
        ("Authentication-Results", receiving),
        ("Received", RECEIVED),
        ("Authentication-Results", FORGED_PASS),
    )
    result = check_message(ENGINE, raw)
    assert result.verdict is Verdict.IMPERSONATION
    assert "forged_official_sender" in codes(result)
    assert result.lookalike_of is not None
    assert result.lookalike_of.slug == "mail-thu-cong-vu-quang-ninh"
    assert all(part.verdict is not Verdict.OFFICIAL for part in result.parts)


def test_an_unaligned_signature_on_top_is_not_replaced_by_a_forged_aligned_one():
    receiving = f"{MX}; dkim=pass header.d=bulk-mailer.example; spf=fail; dmarc=none"
    forged = f"{MX}; dkim=pass header.d=quangninh.gov.vn"
    result = check_message(
        ENGINE,
        message(("Authentication-Results", receiving), ("Authentication-Results", forged)),
    )
    assert "unverified_official_sender" in codes(result)
    assert result.verdict is Verdict.SUSPICIOUS


def test_a_server_writing_one_field_per_method_proves_with_its_top_field():
    """Some servers write one field per method (SPF, DKIM and DMARC filters in turn), all
    with their own authserv-id, above anything the sender wrote; the DMARC filter, which runs
    last, writes the top one. The passes below it prove nothing on their own: the sender can
    write the same fields there. This test once took a method the top field did not report
    from the next field, a pass included; that was the weakness."""
    fields = [
        ("Authentication-Results", f"{MX}; dmarc=pass header.from=quangninh.gov.vn"),
        ("Authentication-Results", f"{MX}; dkim=pass header.d=quangninh.gov.vn"),
        ("Authentication-Results", f"{MX}; spf=pass smtp.mailfrom=quangninh.gov.vn"),
    ]
    result = check_message(ENGINE, message(*fields))
    assert result.verdict is Verdict.OFFICIAL
    nothing_on_top = [("Authentication-Results", f"{MX}; dmarc=none"), *fields[1:]]
    result = check_message(ENGINE, message(*nothing_on_top))
    assert result.verdict is Verdict.UNKNOWN
    assert "unconfirmed_official_sender" in codes(result)
    forged = [("Authentication-Results", f"{MX}; dmarc=fail"), *fields]
    assert check_message(ENGINE, message(*forged)).verdict is Verdict.IMPERSONATION


def test_a_failure_below_the_top_field_counts_against_the_sender():
    """A failure can only make the answer safer, so one in the server's run of fields counts
    even below a pass of the top field (this test once expected the top's pass to decide)."""
    fields = [
        ("Authentication-Results", f"{MX}; dmarc=pass header.from=quangninh.gov.vn"),
        ("Authentication-Results", f"{MX}; dmarc=fail"),
        ("Authentication-Results", f"{MX}; dkim=pass header.d=quangninh.gov.vn"),
    ]
    result = check_message(ENGINE, message(*fields))
    assert result.verdict is Verdict.IMPERSONATION
    assert "forged_official_sender" in codes(result)


def test_within_one_field_a_passing_signature_still_wins():
    """One field, two DKIM signatures: a mailing list's that broke and the sender's own."""
    value = (
        f"{MX}; dkim=fail header.d=lists.example; dkim=pass header.d=quangninh.gov.vn; "
        "spf=fail smtp.mailfrom=lists.example; dmarc=pass header.from=quangninh.gov.vn"
    )
    result = check_message(ENGINE, message(("Authentication-Results", value)))
    assert result.verdict is Verdict.OFFICIAL


def test_fields_of_other_servers_are_still_ignored():
    fields = [
        ("Authentication-Results", f"{MX}; dmarc=pass header.from=quangninh.gov.vn"),
        ("Authentication-Results", "relay.example; dmarc=fail header.from=quangninh.gov.vn"),
    ]
    assert check_message(ENGINE, message(*fields)).verdict is Verdict.OFFICIAL
