"""Typing slips: a name one slip away from an official one imitates it; a name one unrelated
letter away is another word (Lao Động is not Lâm Đồng)."""

import pytest

from chinhthong.verify.engine import Engine
from chinhthong.verify.results import Verdict
from chinhthong.verify.slips import is_slip, slip_distance
from tests.verify.engines import engine_with

LAM_DONG = {
    "slug": "web-lam-dong",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "website",
    "name": "Cổng thông tin điện tử tỉnh Lâm Đồng",
    "url": "https://lamdong.gov.vn/",
    "host": "lamdong.gov.vn",
    "status": "active",
}


@pytest.mark.parametrize(
    ("typed", "meant", "slip"),
    [
        ("g", "h", True),  # neighbouring keys
        ("m", "n", True),
        ("a", "o", True),  # one vowel for another
        ("i", "y", True),
        ("l", "i", True),  # the same shape
        ("x", "s", True),  # confused in Vietnamese spelling
        ("m", "o", False),
        ("x", "n", False),
    ],
)
def test_one_letter_for_another(typed, meant, slip):
    assert is_slip(typed, meant) is slip


@pytest.mark.parametrize(
    ("name", "official", "distance"),
    [
        ("quangning", "quangninh", 1),  # the slip printed in letter 1341
        ("quangnnh", "quangninh", 1),  # a letter dropped
        ("quangninhh", "quangninh", 1),  # doubled
        ("qaungninh", "quangninh", 1),  # neighbours swapped
        ("quamgninh", "quangninh", 1),  # the key next to it
        ("laodong", "lamdong", 2),  # an unrelated letter: more than one slip
        ("quangxinh", "quangninh", 2),
    ],
)
def test_slip_distance(name, official, distance):
    assert slip_distance(name, official, 2) == distance


VACCINATION = {
    **LAM_DONG,
    "slug": "web-tiem-chung",
    "name": "Cổng thông tin tiêm chủng COVID-19",
    "url": "https://tiemchungcovid19.gov.vn/",
    "host": "tiemchungcovid19.gov.vn",
}


SERVICE_247 = {
    **LAM_DONG,
    "slug": "web-dich-vu-247",
    "name": "Dịch vụ 247",
    "url": "https://dichvu247.gov.vn/",
    "host": "dichvu247.gov.vn",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return engine_with([LAM_DONG, VACCINATION, SERVICE_247])


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("laodong.vn", Verdict.UNKNOWN),  # the newspaper Lao Động
        ("https://lamdomg.vn/", Verdict.IMPERSONATION),
        ("https://lamdonq-gov.vn/", Verdict.IMPERSONATION),
        ("lamdng.com", Verdict.IMPERSONATION),
        ("https://lamdong.gov.vn/", Verdict.OFFICIAL),
    ],
)
def test_lookalikes_of_a_short_official_name(engine, text, verdict):
    result = engine.check(text)
    assert result.verdict == verdict, [r.code for r in result.reasons]
    if verdict is Verdict.IMPERSONATION:
        assert result.lookalike_of.identifier == "lamdong.gov.vn"


@pytest.mark.parametrize(
    "text",
    [
        "https://tiemchungcovid91.com.vn/",  # digits swapped
        "tiemchun9cov1d19.asia",  # letters written as digits
        "https://tiemchungcovid19-dangky.top/",
    ],
)
def test_an_official_name_with_digits_is_compared_as_it_reads(engine, text):
    result = engine.check(text)
    assert result.verdict is Verdict.IMPERSONATION, [r.code for r in result.reasons]
    assert result.lookalike_of.identifier == "tiemchungcovid19.gov.vn"


@pytest.mark.parametrize(
    "text",
    ["dichvu247-dangky.com", "https://dangnhap-dichvu247.top/", "dichvu247online-gov.com"],
)
def test_an_official_name_with_digits_joined_to_lures(engine, text):
    result = engine.check(text)
    assert result.verdict is Verdict.IMPERSONATION, [r.code for r in result.reasons]
    assert result.lookalike_of.identifier == "dichvu247.gov.vn"
