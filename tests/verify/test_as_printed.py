"""Identifiers as the source documents printed them (issue 10 A11), hyphens in place of dots
(A10) and what a forwarded message as a whole is (A10)."""

import pytest

from chinhthong.verify.results import Verdict
from tests.verify.engines import corpus_engine, engine_with


@pytest.mark.parametrize(
    "pasted",
    [
        "facebook.com/thongtinchinhp/",
        "https://www.facebook.com/thongtinchinhp",
        "FACEBOOK.COM/thongtinchinhp",
    ],
)
def test_the_cut_short_link_letter_1341_prints_is_named_with_the_real_page(pasted):
    result = corpus_engine().check(pasted)
    first = result.reasons[0]
    assert first.code == "printed_cut_short"
    assert first.params_dict["document"] == "1341/STTTT-TTBCXB (31/07/2020)"
    assert first.params_dict["real"] == "facebook.com/thongtinchinhphu"
    # Still not the real page: a page of that shortened name is whoever registered it.
    assert result.verdict is Verdict.IMPERSONATION
    assert result.lookalike_of.slug == "facebook-thong-tin-chinh-phu"


def test_the_invalid_address_letter_1341_prints_is_said_to_be_still_confirmed():
    result = corpus_engine().check("facebook.com/DDCI tinh Quang Ninh/")
    assert result.verdict is Verdict.UNKNOWN
    assert [r.code for r in result.reasons] == ["printed_invalid_pending"]
    assert result.reasons[0].params_dict["channel"] == "DDCI Quảng Ninh"


def test_a_printed_form_that_is_the_real_one_is_checked_as_usual():
    result = corpus_engine().check("facebook.com/s4tquangninh/")
    assert result.verdict is Verdict.OFFICIAL
    assert result.reasons[0].code == "official_facebook_page"


def test_a_printed_form_that_differs_from_an_active_channel():
    engine = engine_with(
        [
            {
                "slug": "web-in-sai",
                "agency": "so-y-te-quang-ninh",
                "kind": "website",
                "name": "Cổng thông tin Sở Y tế",
                "host": "soyte.quangninh.gov.vn",
                "url": "https://soyte.quangninh.gov.vn/",
                "identifier_as_printed": "soyte.quangning.gov.vn",
                "status": "active",
                "source": "1341/STTTT-TTBCXB",
            }
        ]
    )
    result = engine.check("soyte.quangning.gov.vn")
    assert result.reasons[0].code == "printed_differs"
    assert result.reasons[0].params_dict["real"] == "soyte.quangninh.gov.vn"


@pytest.mark.parametrize(
    ("host", "official"),
    [
        ("quangninh-gov.vn", "quangninh.gov.vn"),
        ("www.gplx-gov.vn", "gplx.gov.vn"),
        ("congchuc-quangninh.gov.vn", "congchuc.quangninh.gov.vn"),
        ("chinhphu-vn.com", "chinhphu.vn"),
    ],
)
def test_a_hyphen_in_place_of_a_dot_is_said_as_such(host, official):
    result = corpus_engine().check(host)
    assert result.verdict is Verdict.IMPERSONATION
    assert result.reasons[0].code == "hyphen_for_dot"
    assert result.reasons[0].params_dict["official"] == official


def test_official_links_beside_an_unknown_one_do_not_make_a_message_official():
    text = (
        "Chi tiết tại https://quangninh.gov.vn/tin\nĐăng ký nhận hỗ trợ: https://hotro-nhanh.xyz/dk"
    )
    result = corpus_engine().check(text)
    assert result.verdict is Verdict.UNKNOWN and result.channel is None
    assert [r.code for r in result.reasons] == ["text_items", "text_partly_official"]
    assert result.reasons[1].params_dict["item"] == "https://hotro-nhanh.xyz/dk"


def test_a_message_of_official_links_only_is_not_official_as_a_whole():
    scam = (
        "UBND tỉnh thông báo hỗ trợ 5 triệu, nộp phí 200 nghìn vào tài khoản 1023 4567 89, "
        "chi tiết https://quangninh.gov.vn/ho-tro"
    )
    result = corpus_engine().check(scam)
    assert result.verdict is Verdict.UNKNOWN and result.channel is None
    assert [r.code for r in result.reasons] == ["text_items", "text_official_items"]
    assert result.parts[0].verdict is Verdict.OFFICIAL  # the link itself is still official


def test_words_after_a_link_make_a_message_whose_every_link_is_judged():
    result = corpus_engine().check(
        "https://dichvucong.gov.vn/ Tài khoản bị khoá, truy cập https://dvc-gov.top để mở khoá"
    )
    assert result.kind == "text"
    assert result.verdict is Verdict.IMPERSONATION
    assert {p.input for p in result.parts} == {"https://dichvucong.gov.vn/", "https://dvc-gov.top"}
