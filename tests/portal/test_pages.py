"""The public site through HTTP: the identity in every page's footer and head, the report
page, the home page that leads with the check box, searches that are really checks, and the
preview tags and share links of a result."""

import base64
import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from chinhthong.portal import images, services
from chinhthong.registry.models import ReportRecipient
from tests.portal import pictures

PUBLIC = [
    "/",
    "/danh-ba/",
    "/kiem-tra/",
    "/phan-anh/",
    "/ban-tin/",
    "/ban-tin/kiem-tra/",
    "/danh-ba/co-quan/who/",
    "/khong-co/",
]


@pytest.fixture
def identity(default_registry):
    services.load_default_identity()
    return services.update_identity(
        address="Số 1 Đường Thử nghiệm, Hạ Long",
        phone="0203.3835.444",  # as an administrator may type it
        email="vanphong@example.gov.vn",
        hours="Thứ Hai đến Thứ Sáu",
        pictures={images.EMBLEM: pictures.png(), images.FAVICON: pictures.ico()},
    )


def _meta(page: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]*>", page):
        key = re.search(r'(?:property|name)="([^"]+)"', tag)
        value = re.search(r'content="([^"]*)"', tag)
        if key and value:
            found[key.group(1)] = html.unescape(value.group(1))
    return found


def _footer(page: str) -> str:
    return page[page.index("<footer") :]


def test_every_page_shows_the_operating_agency_and_the_report_link(client, identity):
    for path in PUBLIC:
        page = client.get(path).content.decode()
        footer = _footer(page)
        assert "Sở Khoa học và Công nghệ tỉnh Quảng Ninh" in footer, path
        assert 'href="/danh-ba/co-quan/so-khcn-quang-ninh/"' in footer
        assert '<a class="report-link" href="/phan-anh/">Phản ánh thông tin sai sự thật</a>' in (
            footer
        )
        # As Vietnamese readers write it, and dialled as its canonical number.
        assert '<a class="phone" href="tel:+842033835444">0203 3835 444</a>' in footer
        assert 'href="mailto:vanphong@example.gov.vn"' in footer
        assert "Thứ Hai đến Thứ Sáu" in footer and "Hạ Long" in footer
        assert f'src="{identity.emblem_url}"' in footer
        assert "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Quảng Ninh." in footer  # the legal line
        assert f'<link rel="icon" href="{identity.favicon_url}">' in page
        assert "· Kênh thông tin chính thống tỉnh Quảng Ninh</title>" in page


def test_a_footer_without_contacts_shows_no_empty_labels(client, default_registry):
    services.load_default_identity()
    footer = _footer(client.get("/").content.decode())
    assert "Sở Khoa học và Công nghệ tỉnh Quảng Ninh" in footer
    assert "<dl" not in footer and "<img" not in footer


def test_the_images_are_served_with_their_type_for_a_year(client, identity):
    response = client.get(identity.emblem_url)
    assert response.status_code == 200 and response.content == pictures.png()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(identity.favicon_url)["Content-Type"] == "image/x-icon"
    assert client.get("/favicon.ico")["Location"] == identity.favicon_url
    for stale in ("/anh/bieu-trung/" + "0" * 64, "/anh/bieu-tuong/abc", "/anh/bieu-trung/"):
        assert client.get(stale).status_code == 404


def test_the_report_page_lists_the_recipients_of_letter_1341_with_their_contacts(client, identity):
    ReportRecipient.objects.filter(code="pa03-cong-an-quang-ninh").update(
        phone="069 2 123 456", email="pa03@example.gov.vn"
    )
    ReportRecipient.objects.create(code="cu", name="Nơi nhận đã thôi", kind="other", active=False)
    page = client.get("/phan-anh/").content.decode()
    names = [
        "Thanh tra Sở Thông tin và Truyền thông tỉnh Quảng Ninh",
        "Phòng PA03 – Công an tỉnh Quảng Ninh",
        "Lực lượng an ninh các địa phương",
    ]
    positions = [page.index(f">{name}</h3>") for name in names]
    assert positions == sorted(positions)  # inspectorate, police, local forces, as the letter
    assert '<a class="phone" href="tel:+84692123456">0692 123 456</a>' in page
    assert 'href="mailto:pa03@example.gov.vn"' in page
    assert "Được nêu trong văn bản 1341/STTTT-TTBCXB." in page
    assert "Chưa có số điện thoại, thư điện tử hay địa chỉ của cơ quan này." in page
    assert "Nơi nhận đã thôi" not in page
    assert '<a class="phone" href="tel:113">113</a>' in page


def test_the_report_page_without_recipients(client, db):
    page = client.get("/phan-anh/").content.decode()
    assert "Chưa có cơ quan tiếp nhận phản ánh nào." in page


def test_the_home_page_leads_with_the_check_box(client, identity):
    page = client.get("/").content.decode()
    check_form = page.index('action="/kiem-tra/"')
    search_form = page.index('action="/danh-ba/"')
    assert page.index("<h1") < check_form < search_form
    assert 'for="home-check-q"' in page and 'id="home-check-q"' in page
    response = client.post("/kiem-tra/", {"q": "https://quangninh-gov.vn/tra-cuu"}, follow=True)
    assert response.redirect_chain[0][0] == "/kiem-tra/?q=https%3A%2F%2Fquangninh-gov.vn%2Ftra-cuu"
    assert "verdict-impersonation" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "https://quangning.gov.vn/thong-bao",
        "quangninh-gov.vn",
        "facebook.com/thongtinchinhp/",
        "thongbao@quangninh-gov.vn",
        "0203 3835 444",
        "  congchuc.quangninh.gov.vn  ",
        "javascript:alert(1)",
    ],
)
def test_a_link_typed_into_the_directory_search_is_checked(client, default_registry, query):
    response = client.get("/danh-ba/", {"q": query})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/kiem-tra/" and parse_qs(target.query)["q"] == [query.strip()]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("query", ["kiem soat benh tat", "CDC", "Sở Y tế", "1341/STTTT-TTBCXB"])
def test_words_typed_into_the_directory_search_are_searched(client, default_registry, query):
    assert client.get("/danh-ba/", {"q": query}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "\x00quangninh.gov.vn",
        "https://" + "a." * 5000 + "vn",
        "x" * 20_000,
        "mailto:",
        "@",
        "http://[::1",
        "\u202equangninh.gov.vn",
        "0" * 40,
        "javascript:alert(1)",
    ],
)
def test_nothing_typed_into_the_search_breaks_it(client, default_registry, query):
    response = client.get("/danh-ba/", {"q": query}, follow=True)
    assert response.status_code in (200, 400)


def test_a_result_carries_its_verdict_in_preview_tags_and_share_links(client, identity):
    response = client.get("/kiem-tra/", {"q": "quangninh-gov.vn"})
    page = response.content.decode()
    meta = _meta(page)
    url = "http://testserver/kiem-tra/?q=quangninh-gov.vn"
    assert meta["og:url"] == url
    assert meta["og:title"] == "Giả mạo: quangninh-gov.vn" == meta["twitter:title"]
    assert "quangninh.gov.vn" in meta["og:description"]  # the first reason, naming the real one
    assert meta["og:image"] == "http://testserver" + identity.emblem_url
    assert meta["twitter:card"] == "summary"
    assert meta["og:site_name"] == "Kênh thông tin chính thống tỉnh Quảng Ninh"
    links = dict(re.findall(r'class="share-button share-(zalo|facebook)" href="([^"]+)"', page))
    facebook = urlsplit(html.unescape(links["facebook"]))
    assert facebook.netloc == "www.facebook.com" and parse_qs(facebook.query)["u"] == [url]
    zalo = urlsplit(html.unescape(links["zalo"]))
    payload = parse_qs(zalo.query)["d"][0]
    assert zalo.netloc == "button-share.zalo.me" and json.loads(base64.b64decode(payload)) == {
        "url": url
    }
    assert f'id="share-url" type="text" readonly value="{url}"' in page
    assert "data-copy-from=" in page and "<script>" not in page  # no inline script (CSP)


def test_an_official_result_and_english_labels(client, identity):
    meta = _meta(client.get("/kiem-tra/", {"q": "congchuc.quangninh.gov.vn"}).content.decode())
    assert meta["og:title"] == "Chính thống: congchuc.quangninh.gov.vn"
    with translation.override("en"):
        response = client.get("/kiem-tra/", {"q": "quangninh-gov.vn"}, HTTP_ACCEPT_LANGUAGE="en")
    meta = _meta(response.content.decode())
    assert meta["og:title"] == "Impersonation: quangninh-gov.vn"
    assert meta["og:locale"] == "en_US"


def test_a_message_checked_by_post_is_neither_previewed_nor_shared(client, identity):
    text = "Sở Y tế thông báo:\nhttps://syt-quangninh.top/ho-tro"
    page = client.post("/kiem-tra/", {"q": text}).content.decode()
    assert "verdict-banner" in page
    assert (
        "share-button" not in page
        and "og:url" not in page
        and "syt-quangninh" not in str(_meta(page))
    )


def test_pages_other_than_results_carry_the_site_preview(client, identity):
    meta = _meta(client.get("/danh-ba/").content.decode())
    assert meta["og:title"] == "Kênh thông tin chính thống tỉnh Quảng Ninh"
    assert meta["og:type"] == "website" and "og:url" not in meta
