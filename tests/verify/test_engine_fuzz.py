"""Hostile and random input never makes the engine raise; it always answers a verdict."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhthong.verify.results import Verdict
from tests.verify.engines import corpus_engine

VERDICTS = set(Verdict)
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

host_label = st.text(
    alphabet=st.sampled_from(
        [*list("abcdefghijklmnopqrstuvwxyz0123456789-аеіорсху"), "ả", "ạ", "ư", "đ", "ơ"]
    ),
    min_size=1,
    max_size=20,
)
hosts = st.lists(host_label, min_size=1, max_size=5).map(".".join)
suffixes = st.sampled_from([".vn", ".gov.vn", ".com", ".com.vn", ".top", ".int", "", "."])
schemes = st.sampled_from(
    ["http://", "https://", "HTTPS://", "", "//", "javascript:", "ftp://", "http:\\\\"]
)
userinfo = st.sampled_from(["", "quangninh.gov.vn@", "user:pass@", "@", "a@b@"])
paths = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(st.text(max_size=300))
def test_any_text(text):
    assert corpus_engine().check(text).verdict in VERDICTS


@FUZZ
@given(
    schemes,
    userinfo,
    hosts,
    suffixes,
    st.sampled_from(["", ":80", ":443", ":99999", ":abc"]),
    paths,
)
def test_url_shaped_input(scheme, user, host, suffix, port, path):
    url = f"{scheme}{user}{host}{suffix}{port}/{path}"
    result = corpus_engine().check(url, "url")
    assert result.verdict in VERDICTS
    assert result.reasons, "every answer explains itself"


@FUZZ
@given(st.text(max_size=60), st.text(max_size=60))
def test_address_shaped_input(name, address):
    result = corpus_engine().check(f'"{name}" <{address}@{address}.vn>', "address")
    assert result.verdict in VERDICTS


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "https://quangninh.gov.vn/",
                "quangninh-gov.vn",
                "bit.ly/x",
                "a@b.vn",
                "http://1.2.3.4/",
                "https://l.facebook.com/l.php?u=https%3A%2F%2Fgplx-gov.vn",
                "khaibao-yte.top",
                "xin chào",
                "\\@",
            ]
        ),
        max_size=30,
    ).map("\n".join)
)
def test_forwarded_text_takes_the_worst_part(text):
    result = corpus_engine().check(text, "text")
    assert result.verdict in VERDICTS
    if result.parts:
        from chinhthong.verify.results import RANK

        verdicts = {p.verdict for p in result.parts}
        if verdicts <= {Verdict.OFFICIAL, Verdict.UNKNOWN}:
            assert result.verdict is Verdict.UNKNOWN  # a message is never vouched for whole
        else:
            assert RANK[result.verdict] == max(RANK[p.verdict] for p in result.parts)
        assert result.reasons  # every verdict says why
