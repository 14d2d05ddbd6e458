"""Our one-call reading of ada's URL offsets agrees with ada_url's own accessors."""

import ada_url
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhthong.verify.urls import components

PARTS = ("href", "protocol", "hostname", "username", "pathname", "search", "hash", "host_type")
SAMPLES = [
    "https://user:pass@QuangNinh.gov.vn.:443/a/../b?x=1#frag",
    "http://quangninh.gov.vn@evil.top/login",
    "https://evil.top\\\\@quangninh.gov.vn/",
    "http://0x7f.1/",
    "http://[2001:db8::1]:8080/p?q",
    "https://xn--qungninh-6x0d.vn/",
    "https://quảngninh.vn/tra-cuu?id=5",
    "https://a.vn?only-query",
    "https://a.vn#only-hash",
    "https://u@a.vn/",
    "https://:p@a.vn/",
]


def _expected(text):
    try:
        parsed = ada_url.parse_url(text, attributes=PARTS)
    except ValueError:
        return None
    return (
        parsed["href"],
        parsed["protocol"][:-1],
        parsed["hostname"],
        parsed["username"],
        parsed["pathname"],
        parsed["search"],
        parsed["hash"],
        int(parsed["host_type"]),
    )


def test_known_urls():
    for text in SAMPLES:
        assert components(text) == _expected(text), text


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "ftp://", "HTTP://", "http:\\\\\\\\"]),
    st.text(alphabet="abcxyz.-@:/\\\\?#%[]01ảđ", max_size=40),
)
def test_any_url(scheme, rest):
    text = scheme + rest
    assert components(text) == _expected(text)
