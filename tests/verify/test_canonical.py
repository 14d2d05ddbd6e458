import pytest

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.text import fold


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("QuangNinh.gov.VN", "quangninh.gov.vn"),
        ("quangninh.gov.vn.", "quangninh.gov.vn"),
        ("  congchuc.quangninh.gov.vn ", "congchuc.quangninh.gov.vn"),
        ("quảngninh.vn", "xn--qungninh-6x0d.vn"),
        ("ＱＵＡＮＧＮＩＮＨ．gov．vn", "quangninh.gov.vn"),  # full-width forms fold under UTS-46
    ],
)
def test_hosts_are_stored_in_one_canonical_form(raw, expected):
    assert canonical.canonical_host(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("quang ninh.gov.vn", "contains_space"),
        ("https://quangninh.gov.vn/", "host_not_bare"),
        ("quangninh.gov.vn:443", "host_not_bare"),
        ("localhost", "host_invalid"),
        ("-bad-.vn", "host_invalid"),
        ("10.0.0.1", "host_is_ip"),
        ("", "empty"),
    ],
)
def test_bad_hosts_are_rejected_with_a_reason(raw, code):
    with pytest.raises(InvalidIdentifier) as caught:
        canonical.canonical_host(raw)
    assert caught.value.code == code


def test_unicode_host_is_shown_readably():
    assert canonical.unicode_host("xn--qungninh-6x0d.vn") == "quảngninh.vn"


def test_facebook_usernames_match_ignoring_case_and_dots():
    assert canonical.facebook_key("KiemSoatBenhTatQuangNinh") == canonical.facebook_key(
        "kiemsoatbenhtat.quangninh"
    )


def test_facebook_username_is_taken_from_a_page_link():
    assert (
        canonical.facebook_username("https://m.facebook.com/s4tquangninh/posts/1") == "s4tquangninh"
    )
    assert (
        canonical.facebook_username("facebook.com/truyenthongquangninh/") == "truyenthongquangninh"
    )


@pytest.mark.parametrize(
    "raw", ["facebook.com/DDCI tinh Quang Ninh/", "https://example.com/s4tquangninh"]
)
def test_invalid_facebook_links_are_rejected(raw):
    with pytest.raises(InvalidIdentifier):
        canonical.facebook_username(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0203 3835 536", "+842033835536"),
        ("+84 912 345 678", "+84912345678"),
        ("113", "113"),
        ("1022", "1022"),
        ("1900 1234", "19001234"),
        ("1800.5454.18", "1800545418"),
    ],
)
def test_phone_numbers_are_e164_or_short_codes(raw, expected):
    assert canonical.phone(raw) == expected


@pytest.mark.parametrize("raw", ["1900 123", "19001234567", "0912", "12345678", "abc"])
def test_numbers_of_no_vietnamese_plan_are_refused(raw):
    with pytest.raises(InvalidIdentifier):
        canonical.phone(raw)


def test_mail_address_keeps_local_part_and_canonicalises_domain():
    assert canonical.mail_address("VanThu@QuangNinh.gov.vn") == "VanThu@quangninh.gov.vn"
    with pytest.raises(InvalidIdentifier):
        canonical.mail_address("vanthu@@quangninh")


def test_app_ids():
    assert canonical.ios_app_id("id1234567890") == "1234567890"
    assert canonical.android_package("vn.gov.quangninh.smart") == "vn.gov.quangninh.smart"
    with pytest.raises(InvalidIdentifier):
        canonical.android_package("not a package")


def test_urls_must_be_http_without_credentials():
    assert (
        canonical.canonical_url("HTTPS://WWW.QuangNinh.gov.vn/a?b=1")
        == "https://www.quangninh.gov.vn/a?b=1"
    )
    for bad in (
        "javascript:alert(1)",
        "https://user:pw@quangninh.gov.vn/",
        "ftp://quangninh.gov.vn/",
    ):
        with pytest.raises(InvalidIdentifier):
            canonical.canonical_url(bad)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kiểm soát bệnh tật", "kiem soat benh tat"),
        ("ĐẠI HỘI  Đảng", "dai hoi dang"),
        ("Quảng Ninh", "quang ninh"),
        ("quạngninh", "quangninh"),
    ],
)
def test_vietnamese_folding(text, folded):
    assert fold(text) == folded
