"""What a shared result says before anyone opens it (Open Graph and Twitter tags), and what its
share box asks of the reader. A preview repeats one identifier, shortened, never a message's
words: otherwise anyone could make a Facebook or Zalo preview that shows a scam text under the
province's name. The share box's advice follows the verdict."""

import html
import re

import pytest

from chinhthong.checks import services as checks
from chinhthong.portal import services
from chinhthong.portal.templatetags.portal import PREVIEW_ITEM_CHARS, preview_title

SCAM_WORDS = "THÔNG BÁO: mỗi người dân được nhận 5 triệu đồng hỗ trợ"
PREVIEW_KEYS = ("og:title", "og:description", "twitter:title", "twitter:description")


@pytest.fixture
def identity(default_registry):
    return services.load_default_identity()


def _meta(page: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]*>", page):
        key = re.search(r'(?:property|name)="([^"]+)"', tag)
        value = re.search(r'content="([^"]*)"', tag)
        if key and value:
            found[key.group(1)] = html.unescape(value.group(1))
    return found


def _result(client, query: str) -> tuple[dict[str, str], str]:
    response = client.get("/kiem-tra/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    share = html.unescape(page[page.index('<div class="share-result">') :])
    return _meta(page), share[: share.index("</div>")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            f"{SCAM_WORDS}, đăng ký tại https://quangninh-gov.vn/nhan-tien",
            "Kết quả kiểm tra một tin nhắn: Giả mạo",
        ),
        (f"{SCAM_WORDS}, liên hệ ngay", "Kết quả kiểm tra một tin nhắn: Chưa xác định"),
        # Words in a sender's display name or in a script link are words too.
        ('"THONG BAO nhan 5 trieu dong" <hotro@gmail.com>', None),
        ("javascript:alert('THÔNG BÁO nhận 5 triệu đồng')", None),
    ],
)
def test_a_preview_never_carries_the_pasted_words(client, identity, text, title):
    meta, _share = _result(client, text)
    if title:
        assert meta["og:title"] == title == meta["twitter:title"]
    assert meta["og:title"].startswith("Kết quả kiểm tra một ")
    for key in PREVIEW_KEYS:
        for words in ("THÔNG BÁO", "THONG BAO", "5 triệu", "5 trieu", "nhan-tien"):
            assert words not in meta[key], (key, meta[key])
    assert meta["og:site_name"] == "Kênh thông tin chính thống tỉnh Quảng Ninh"


def test_a_messages_preview_names_what_it_imitates_from_the_registry(client, identity):
    meta, _share = _result(client, f"{SCAM_WORDS}, đăng ký tại https://quangninh-gov.vn/")
    assert meta["og:description"].startswith("Giả mạo Cổng thông tin điện tử tỉnh Quảng Ninh")
    assert "Đã đối chiếu với sổ đăng ký kênh chính thống" in meta["og:description"]


def test_one_identifier_is_kept_shortened(client, identity):
    link = "https://quangninh-gov.vn/" + "tra-cuu-ho-so" * 12
    meta, _share = _result(client, link)
    title = meta["og:title"]
    assert title.startswith("Giả mạo: https://quangninh-gov.vn/tra-cuu")
    assert len(title) == len("Giả mạo: ") + PREVIEW_ITEM_CHARS and title.endswith("…")
    assert "quangninh.gov.vn" in meta["og:description"]  # the reason names the real one
    meta, _share = _result(client, "0203.3835.444")
    assert meta["og:title"].endswith(": 0203 3835 444")  # as Vietnamese readers write it
    meta, _share = _result(client, "vanphong@quangninh-gov.vn")
    assert meta["og:title"] == "Giả mạo: vanphong@quangninh-gov.vn"


def test_an_emails_title_says_it_was_an_email(default_registry):
    message = (
        "From: Bộ Y tế <thongbao@moh-gov.vn>\r\nTo: a@example.com\r\n"
        f"Subject: {SCAM_WORDS}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{SCAM_WORDS}: https://moh-gov.vn/nhan-tien\r\n"
    ).encode()
    result = checks.check_email(message)
    assert result.kind == "email"
    assert preview_title(result).startswith("Kết quả kiểm tra một thư điện tử: ")
    assert "5 triệu" not in preview_title(result)


OFFICIAL = "Chia sẻ kết quả này để mọi người biết kênh chính thống"
WARNING = "nhắc mọi người không chuyển tiếp nữa"
NEUTRAL = "Gửi kết quả này cho người đã hỏi bạn, để họ xem câu trả lời và lý do."


@pytest.mark.parametrize(
    ("query", "advice"),
    [
        ("congchuc.quangninh.gov.vn", OFFICIAL),
        ("113", OFFICIAL),
        ("quangninh-gov.vn", WARNING),
        ("vi-du-chua-ai-dang-ky.com", NEUTRAL),
    ],
)
def test_the_share_box_says_what_the_verdict_calls_for(client, identity, query, advice):
    _meta_tags, share = _result(client, query)
    assert advice in share
    for other in {OFFICIAL, WARNING, NEUTRAL} - {advice}:
        assert other not in share
    if advice != WARNING:
        assert "chuyển tiếp" not in share  # an official channel is no rumour to stop
