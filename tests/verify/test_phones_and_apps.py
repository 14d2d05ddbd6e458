"""Hotlines, apps, Zalo, YouTube and TikTok accounts: what a resident pastes besides links to
websites and addresses."""

import pytest

from chinhthong.verify.engine import Engine, detect_kind
from chinhthong.verify.results import Verdict
from tests.verify.engines import corpus_engine, engine_with

HOTLINE = {
    "slug": "duong-day-nong-1022",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "hotline",
    "name": "Tổng đài 1022 tỉnh Quảng Ninh",
    "phone": "1022",
    "status": "active",
}
MOBILE_HOTLINE = {
    "slug": "duong-day-nong-so-tttt",
    "agency": "so-tttt-quang-ninh",
    "kind": "hotline",
    "name": "Đường dây nóng Sở TTTT",
    "phone": "0203 3628 999",
    "status": "active",
}
APP = {
    "slug": "app-quang-ninh-so",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "mobile_app",
    "name": "Quảng Ninh số",
    "android_package": "vn.gov.quangninh.app",
    "ios_app_id": "id1234567890",
    "status": "active",
}
ZALO = {
    "slug": "zalo-ubnd-quang-ninh",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "zalo_oa",
    "name": "Zalo UBND tỉnh Quảng Ninh",
    "zalo_oa_id": "4318523408541296066",
    "status": "active",
}
YOUTUBE = {
    "slug": "youtube-qtv",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "youtube",
    "name": "Quảng Ninh TV",
    "handle": "quangninhtv",  # as the registry stores it
    "status": "active",
}
TIKTOK = {**YOUTUBE, "slug": "tiktok-qtv", "kind": "tiktok", "handle": "@baoquangninh"}
PENDING_TIKTOK = {
    **TIKTOK,
    "slug": "tiktok-cho",
    "handle": "@quangninh.moi",
    "status": "pending_review",
}
PENDING_HOTLINE = {
    **HOTLINE,
    "slug": "duong-day-cho",
    "phone": "0912 000 111",
    "status": "pending_review",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return engine_with(
        [
            HOTLINE,
            MOBILE_HOTLINE,
            APP,
            ZALO,
            PENDING_HOTLINE,
            YOUTUBE,
            TIKTOK,
            PENDING_TIKTOK,
        ]
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("113", "phone"),
        ("0912 345 678", "phone"),
        ("+84 912.345.678", "phone"),
        ("(0203) 3628 999", "phone"),
        ("1.1.1.1", "domain"),  # an address, not a number
        ("quangninh.gov.vn", "domain"),
        ("https://quangninh.gov.vn/", "url"),
    ],
)
def test_phone_numbers_are_told_from_addresses(text, kind):
    assert detect_kind(text) == kind


def test_a_registered_hotline_is_official_however_it_is_written(engine):
    for written in ("0203 3628 999", "+84 203 3628 999", "0203.3628.999", "1022"):
        result = engine.check(written)
        assert result.verdict is Verdict.OFFICIAL, written
        assert result.kind == "phone"
        assert result.channel.slug in ("duong-day-nong-so-tttt", "duong-day-nong-1022")
        assert result.reasons[0].code == "official_phone"


def test_an_unknown_number_is_unknown_with_advice(engine):
    result = engine.check("0987 654 321")
    assert result.verdict is Verdict.UNKNOWN
    assert result.reasons[0].code == "phone_not_registered"
    assert result.reasons[0].params_dict["phone"] == "0987 654 321"


@pytest.mark.parametrize(
    ("number", "service"),
    [
        ("111", "Tổng đài quốc gia bảo vệ trẻ em"),
        ("113", "Công an"),
        ("114", "Cứu hỏa, cứu nạn cứu hộ"),
        ("115", "Cấp cứu y tế"),
    ],
)
def test_emergency_numbers_are_official_and_named_not_ip_addresses(engine, number, service):
    result = engine.check(number)
    assert result.verdict is Verdict.OFFICIAL
    assert result.reasons[0].code == "emergency_number"
    assert result.reasons[0].params_dict["service"] == service


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("+842033835444", "0203 3835 444"),
        ("0203.3835.444", "0203 3835 444"),
        ("+842438234567", "024 3823 4567"),
        ("84912345678", "0912 345 678"),
        ("1900561256", "1900 561 256"),
        ("1900 1234", "1900 1234"),
        ("18001096", "1800 1096"),
    ],
)
def test_numbers_are_shown_as_vietnamese_readers_write_them(engine, written, shown):
    result = engine.check(written)
    assert result.reasons[0].params_dict["phone"] == shown


def test_a_pending_hotline_is_not_official(engine):
    result = engine.check("0912000111")
    assert result.verdict is Verdict.UNKNOWN
    assert result.reasons[0].code == "pending_review"


def test_a_bare_ip_address_is_still_suspicious(engine):
    assert engine.check("1.1.1.1").verdict is Verdict.SUSPICIOUS


@pytest.mark.parametrize(
    "link",
    [
        "https://play.google.com/store/apps/details?id=vn.gov.quangninh.app&hl=vi",
        "https://apps.apple.com/vn/app/quang-ninh-so/id1234567890",
        "https://itunes.apple.com/app/id1234567890?mt=8",
    ],
)
def test_store_pages_of_a_registered_app_are_official(engine, link):
    result = engine.check(link)
    assert result.verdict is Verdict.OFFICIAL
    assert result.channel.slug == "app-quang-ninh-so"
    assert result.reasons[0].code == "official_app"


def test_a_registered_zalo_account_is_official(engine):
    result = engine.check("https://zalo.me/4318523408541296066")
    assert result.verdict is Verdict.OFFICIAL
    assert result.reasons[0].code == "official_zalo"


@pytest.mark.parametrize(
    ("link", "store"),
    [
        ("https://www.youtube.com/@QuangNinhTV", "YouTube"),
        ("https://m.youtube.com/@quangninhtv/videos", "YouTube"),
        ("youtube.com/@quangninhtv", "YouTube"),
        ("https://www.tiktok.com/@baoquangninh/video/7301234567890", "TikTok"),
    ],
)
def test_registered_youtube_and_tiktok_accounts_are_official(engine, link, store):
    result = engine.check(link)
    assert result.verdict is Verdict.OFFICIAL, [r.code for r in result.reasons]
    assert result.reasons[0].code == "official_account"
    assert result.reasons[0].params_dict["store"] == store
    assert result.channel.name == "Quảng Ninh TV"


def test_the_same_handle_on_the_other_site_is_not_official(engine):
    result = engine.check("https://www.tiktok.com/@quangninhtv")
    assert result.verdict is Verdict.UNKNOWN
    assert result.reasons[0].code == "account_not_registered"


@pytest.mark.parametrize(
    "link",
    [
        "https://www.youtube.com/@quangninh.tv",  # dots make another account
        "https://www.youtube.com/@quangninhtv_official",
        "https://www.youtube.com/@quangnimhtv",  # a slip
        "https://m.youtube.com/@QuangNinhTV-News/videos",
    ],
)
def test_lookalike_accounts_on_the_same_site_are_impersonations(engine, link):
    result = engine.check(link)
    assert result.verdict is Verdict.IMPERSONATION, [r.code for r in result.reasons]
    assert result.reasons[0].code == "account_lookalike"
    assert result.lookalike_of.name == "Quảng Ninh TV"
    assert result.reasons[0].params_dict["official"] == "quangninhtv"


def test_a_pending_account_is_not_official(engine):
    result = engine.check("https://www.tiktok.com/@quangninh.moi")
    assert result.verdict is Verdict.UNKNOWN
    assert result.reasons[0].code == "pending_review"


@pytest.mark.parametrize(
    ("link", "code"),
    [
        (
            "https://play.google.com/store/apps/details?id=vn.gov.quangninh.app2",
            "app_not_registered",
        ),
        ("https://zalo.me/1111111111111", "zalo_not_registered"),
        ("https://www.youtube.com/@tintucmoingay24h", "account_not_registered"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "not_registered"),  # names no account
    ],
)
def test_other_apps_and_accounts_are_not_registered(engine, link, code):
    result = engine.check(link)
    assert result.verdict is Verdict.UNKNOWN
    assert result.reasons[0].code == code


def test_a_play_store_link_through_a_facebook_redirect_is_judged_by_its_app(engine):
    target = "https%3A%2F%2Fplay.google.com%2Fstore%2Fapps%2Fdetails%3Fid%3Dvn.gov.quangninh.app"
    result = engine.check(f"https://l.facebook.com/l.php?u={target}")
    assert result.verdict is Verdict.OFFICIAL


def test_a_forwarded_message_lists_its_phone_numbers_beside_its_links(engine):
    text = (
        "Sở TTTT thông báo: gọi 0203 3628 999 hoặc tổng đài 1900 1234\n"
        "Chi tiết tại https://quangninh-gov.vn/tra-cuu/0912345678 năm 2026"
    )
    result = engine.check(text)
    assert result.verdict is Verdict.IMPERSONATION
    phones = [p for p in result.parts if p.kind == "phone"]
    assert [p.input for p in phones] == ["0203 3628 999", "1900 1234"]
    assert phones[0].verdict is Verdict.OFFICIAL
    assert phones[1].reasons[0].code == "phone_not_registered"


def test_digits_of_an_address_are_not_a_phone_number(engine):
    result = engine.check("Liên hệ 0912345678@gmail.com\nhoặc gọi 0987 654 321")
    assert [p.kind for p in result.parts] == ["address", "phone"]
    assert result.parts[1].input == "0987 654 321"


def test_the_default_registry_knows_no_hotline_yet():
    # The letters print no hotline numbers: every number is unknown against the default data.
    assert corpus_engine().check("0203 3628 999").reasons[0].code == "phone_not_registered"
