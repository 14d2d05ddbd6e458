"""Authentication-Results are read per RFC 8601 and RFC 5322: quoted strings and comments
(nested, with backslash escapes) are opaque, and results are separated only by the ";"
outside them. The receiving server copies text the sender chose (the envelope sender, the
HELO name) into its own field; read naively, that text injected a "dmarc=pass" into the
server's field and a message whose DMARC failed was answered official."""

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.mail_authentication import parse_authentication_results
from chinhthong.verify.reasons import english
from chinhthong.verify.results import Verdict
from tests.verify.engines import default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
FAIL = "dmarc=fail header.from=quangninh.gov.vn"
INJECTED = [
    # the quoted envelope sender holds "; dmarc=pass"
    f'mx.gw.vn; spf=pass smtp.mailfrom="a; dmarc=pass x"@evil.com; {FAIL}',
    # the server's comment reflects it too, with a ")" that closes nothing
    'mx.gw.vn; spf=pass (mx.gw.vn: domain of "a); dmarc=pass ("@evil.com designates '
    ' 203.0.113.7 as permitted sender) smtp.mailfrom="a); dmarc=pass ("@evil.com; ' + FAIL,
    # escaped quotes and parentheses
    f'mx.gw.vn; spf=pass smtp.mailfrom="a\\"; dmarc=pass \\"x"@evil.com; {FAIL}',
    f"mx.gw.vn; spf=pass (helo \\); dmarc=pass \\() smtp.helo=evil.com; {FAIL}",
    f"mx.gw.vn; spf=pass (a (nested); dmarc=pass (b)) smtp.helo=evil.com; {FAIL}",
]


def message(*auth: str, sender="Van phong <vanphong@quangninh.gov.vn>") -> bytes:
    head = [f"Authentication-Results: {value}" for value in auth]
    head += [
        "Received: from mail.evil.example by mx.gw.vn; Mon, 7 Feb 2022 08:30:00 +0700",
        f"From: {sender}",
        "To: canbo@quangninh.gov.vn",
        "Subject: Thong bao",
    ]
    return ("\n".join(head) + "\n\nKinh gui.\n").encode()


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


@pytest.mark.parametrize("value", INJECTED)
def test_text_reflected_in_quotes_or_comments_injects_no_result(value):
    """The finding: dmarc=pass was read from inside the quoted sender, and outranked the
    server's own dmarc=fail in the same field: official."""
    server, results = parse_authentication_results(value)
    assert server == "mx.gw.vn"
    assert [(method, result) for method, result, _ in results] == [
        ("spf", "pass"),
        ("dmarc", "fail"),
    ]
    verdict = check_message(ENGINE, message(value))
    assert verdict.verdict is Verdict.IMPERSONATION, codes(verdict)
    assert "forged_official_sender" in codes(verdict)


def test_quoted_values_are_read_whole():
    value = 'mx.gw.vn; spf=pass smtp.mailfrom="a;b c"@evil.com (x; y) ; dkim = pass header.d=a.vn'
    _, results = parse_authentication_results(value)
    assert results == [
        ("spf", "pass", {"smtp.mailfrom": "a;b c@evil.com"}),
        ("dkim", "pass", {"header.d": "a.vn"}),
    ]


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ("dmarc=pass header.from=quangninh.gov.vn; dmarc=fail", Verdict.IMPERSONATION),
        ("dmarc=fail; dmarc=pass header.from=quangninh.gov.vn", Verdict.IMPERSONATION),
        ("spf=pass; spf=fail; dkim=none; dmarc=none", Verdict.SUSPICIOUS),
    ],
)
def test_within_one_field_a_failure_outranks_a_pass_of_the_same_method(results, expected):
    """Whichever of the two the sender injected, the non-pass wins (DKIM aside: a message
    may carry several signatures, and an aligned pass counts)."""
    result = check_message(ENGINE, message(f"mx.gw.vn; {results}"))
    assert result.verdict is expected, codes(result)


@pytest.mark.parametrize(
    "value",
    [
        # a quote the server did not close swallows the rest of its field
        'mx.gw.vn; spf=pass smtp.mailfrom=a"b@evil.com; dmarc=fail header.from=quangninh.gov.vn',
        "mx.gw.vn; spf=pass (domain of a(b@evil.com; dmarc=fail header.from=quangninh.gov.vn",
    ],
)
def test_a_field_broken_by_reflected_text_confirms_nothing(value):
    result = check_message(ENGINE, message(value))
    assert result.verdict is not Verdict.OFFICIAL, codes(result)
    assert result.channel is None
    found = next(r for r in result.reasons if r.code == "unreadable_authentication")
    assert "%(" not in english(found.code, found.params_dict)


def test_a_broken_field_does_not_let_a_lower_one_decide():
    broken = 'mx.gw.vn; spf=pass smtp.mailfrom=a"b@evil.com; dmarc=fail'
    result = check_message(ENGINE, message(broken, "mx.gw.vn; dmarc=pass"))
    assert result.verdict is not Verdict.OFFICIAL
