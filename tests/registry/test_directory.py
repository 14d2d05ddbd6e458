"""The public directory: search with or without diacritics, filters, the order of levels,
channels pending review only when asked for, identifiers as links only when confirmed, and the
channel and agency pages."""

import pytest
from django.test import override_settings
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from chinhthong.registry.models import Channel, ChannelStatus


def names(response):
    return [c.name for _agency, channels in response.context["groups"] for c in channels]


def levels(response):
    return [agency.level for agency, _channels in response.context["groups"]]


def html_of(response) -> HTMLParser:
    assert response.status_code == 200
    return HTMLParser(response.content.decode())


def row_of(page: HTMLParser, name: str):
    """The directory's line for the channel with this name."""
    for row in page.css("li.channel"):
        if row.css_first("a.name").text(strip=True) == name:
            return row
    raise AssertionError(f"{name} is not listed")


@pytest.mark.parametrize(
    "query", ["kiem soat benh tat", "Kiểm soát bệnh tật", "KIEM SOAT", "benh tat quang ninh"]
)
def test_search_with_or_without_diacritics(client, default_registry, query):
    response = client.get("/danh-ba/", {"q": query})
    assert response.status_code == 200
    assert "Kiểm soát bệnh tật tỉnh Quảng Ninh" in names(response)


def test_search_by_identifier_and_by_agency(client, default_registry):
    assert "Cổng thông tin công chức" in names(client.get("/danh-ba/", {"q": "congchuc"}))
    # Searching an agency name finds its channels.
    assert "Cổng thông tin điện tử Bộ Y tế" in names(client.get("/danh-ba/", {"q": "bo y te"}))


def test_the_directory_lists_the_active_channels_grouped_by_agency(client, default_registry):
    response = client.get("/danh-ba/")
    active = Channel.objects.filter(status=ChannelStatus.ACTIVE)
    assert response.context["count"] == active.count()
    assert sorted(names(response)) == sorted(active.values_list("name", flat=True))


def test_the_own_province_comes_first_then_national_then_international(client, default_registry):
    response = client.get("/danh-ba/")
    order = list(dict.fromkeys(levels(response)))
    expected = ["province", "city", "commune", "national", "international"]
    assert order == [level for level in expected if level in order]
    assert order[0] == "province" and order[-1] == "international"
    page = html_of(response)
    headings = [h.text(strip=True) for h in page.css("section.level > h2")]
    assert headings[0] == "Cấp tỉnh" and headings[-1] == "Quốc tế"


def test_within_a_level_an_agency_follows_its_parent(client, default_registry):
    agencies = [agency.code for agency, _channels in client.get("/danh-ba/").context["groups"]]
    # The People's Committee heads the province, its departments follow.
    assert agencies[0] == "ubnd-tinh-quang-ninh"
    assert agencies.index("ubnd-tinh-quang-ninh") < agencies.index("so-tttt-quang-ninh")


@override_settings(DIRECTORY_LEVEL_ORDER=["international", "national"])
def test_the_order_of_levels_is_a_setting(client, default_registry):
    order = list(dict.fromkeys(levels(client.get("/danh-ba/"))))
    # The levels the setting names come first; the others follow.
    assert order == ["international", "national", "province"]


def test_pending_channels_only_when_asked_for(client, default_registry):
    pending = Channel.objects.filter(status=ChannelStatus.PENDING_REVIEW)
    assert pending.count() >= 1
    response = client.get("/danh-ba/")
    assert not set(pending.values_list("name", flat=True)) & set(names(response))
    assert response.context["hidden_pending"] == pending.count()
    # The page says how many are left out, with a link that shows them.
    ask = html_of(response).css_first("p.count a")
    assert str(pending.count()) in ask.text()
    shown = client.get("/danh-ba/" + ask.attributes["href"])
    assert set(pending.values_list("name", flat=True)) <= set(names(shown))
    assert "DDCI Quảng Ninh" in names(shown) and "Cổng thông tin công chức" in names(shown)
    assert shown.context["hidden_pending"] == 0


def test_the_link_to_pending_channels_keeps_the_search(client, default_registry):
    response = client.get("/danh-ba/", {"q": "ddci"})
    assert names(response) == ["DDCI Thông tin và Truyền thông"]
    ask = html_of(response).css_first("p.count a").attributes["href"]
    assert "q=ddci" in ask
    assert sorted(names(client.get("/danh-ba/" + ask))) == [
        "DDCI Quảng Ninh",
        "DDCI Thông tin và Truyền thông",
    ]


def test_only_pending_or_retired_channels_on_request(client, default_registry):
    only_pending = names(client.get("/danh-ba/", {"status": "pending_review"}))
    assert sorted(only_pending) == sorted(
        Channel.objects.filter(status=ChannelStatus.PENDING_REVIEW).values_list("name", flat=True)
    )
    Channel.objects.filter(slug="web-cong-thong-tin-cong-chuc").update(status="retired")
    assert names(client.get("/danh-ba/", {"status": "retired"})) == ["Cổng thông tin công chức"]
    assert "Cổng thông tin công chức" not in names(client.get("/danh-ba/"))


def test_filters_by_kind_and_level(client, default_registry):
    pages = names(client.get("/danh-ba/", {"kind": "facebook_page"}))
    assert sorted(pages) == sorted(
        Channel.objects.filter(kind="facebook_page", status="active").values_list("name", flat=True)
    )
    province_sites = names(client.get("/danh-ba/", {"kind": "website", "level": "province"}))
    assert sorted(province_sites) == [
        "Cổng thông tin công chức",
        "Cổng thông tin điện tử tỉnh Quảng Ninh",
    ]


def test_invalid_filter_is_ignored_not_an_error(client, default_registry):
    response = client.get("/danh-ba/", {"kind": "<script>"})
    assert response.status_code == 200
    assert b"<script>" not in response.content
    assert response.context["count"] == Channel.objects.filter(status="active").count()


def test_an_identifier_printed_invalid_is_shown_as_printed_never_as_a_link(
    client, default_registry
):
    page = html_of(client.get("/danh-ba/", {"status": "with_pending"}))
    row = row_of(page, "DDCI Quảng Ninh")
    printed = row.css_first(".printed")
    assert printed.css_first("code").text() == "facebook.com/DDCI tinh Quang Ninh/"
    assert "không phải địa chỉ hợp lệ" in printed.text()
    links = [a.attributes["href"] for a in row.css("a")]
    assert links == ["/danh-ba/kenh/facebook-ddci-quang-ninh/"]  # its page only
    assert not any("DDCI" in (a.attributes.get("href") or "") for a in page.css("a"))


def test_an_identifier_printed_cut_short_is_shown_beside_the_real_one(client, default_registry):
    row = row_of(html_of(client.get("/danh-ba/")), "Thông tin Chính phủ")
    real = row.css_first("a.identifier")
    assert real.text() == "facebook.com/thongtinchinhphu"
    assert real.attributes["href"] == "https://www.facebook.com/thongtinchinhphu/"
    assert row.css_first(".printed code").text() == "facebook.com/thongtinchinhp/"


def test_an_identifier_printed_right_is_not_repeated(client, default_registry):
    row = row_of(html_of(client.get("/danh-ba/")), "DDCI Thông tin và Truyền thông")
    assert row.css_first("a.identifier").text() == "facebook.com/s4tquangninh"
    assert row.css_first(".printed") is None


def test_active_channels_link_to_themselves_others_do_not(client, default_registry):
    page = html_of(client.get("/danh-ba/"))
    site = row_of(page, "Cổng thông tin công chức").css_first("a.identifier")
    assert site.attributes["href"].startswith("https://congchuc.quangninh.gov.vn")
    assert "noopener" in site.attributes["rel"]
    # A mail domain is not a place to go to.
    mail = row_of(page, "Thư công vụ tỉnh Quảng Ninh")
    assert mail.css_first("a.identifier") is None
    assert mail.css_first("code.identifier").text() == "@quangninh.gov.vn"
    # A channel pending review is not linked, even with an identifier.
    Channel.objects.filter(slug="web-cong-thong-tin-cong-chuc").update(status="pending_review")
    page = html_of(client.get("/danh-ba/", {"status": "with_pending"}))
    row = row_of(page, "Cổng thông tin công chức")
    assert row.css_first("a.identifier") is None
    assert row.css_first("code.identifier").text() == "congchuc.quangninh.gov.vn"


def test_empty_result_warns_that_unlisted_is_not_official(client, default_registry):
    response = client.get("/danh-ba/", {"q": "khong co kenh nao nhu the"})
    assert response.context["count"] == 0
    assert "không có trong danh bạ" in html_of(response).css_first("p.empty").text()


def test_channel_page_shows_source_status_and_verification(client, default_registry):
    response = client.get("/danh-ba/kenh/facebook-thong-tin-chinh-phu/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1341/STTTT-TTBCXB" in html and "31/07/2020" in html
    assert "facebook.com/thongtinchinhp/" in html  # as printed
    assert "facebook.com/thongtinchinhphu" in html


def test_pending_channel_page_shows_the_printed_identifier_as_text(client, default_registry):
    response = client.get("/danh-ba/kenh/facebook-ddci-quang-ninh/")
    page = html_of(response)
    assert page.css_first(".verdict.status-pending_review") is not None
    facts = page.css_first(".facts").text()
    assert "facebook.com/DDCI tinh Quang Ninh/" in facts
    assert "không phải địa chỉ hợp lệ" in facts
    assert not any("DDCI" in (a.attributes.get("href") or "") for a in page.css("a"))


def test_agency_page(client, default_registry):
    html = client.get("/danh-ba/co-quan/so-tttt-quang-ninh/").content.decode()
    assert "Cổng thông tin công chức" in html and "Smart Quảng Ninh" in html


def test_the_api_documentation_is_in_the_footer_not_the_main_navigation(client, default_registry):
    page = html_of(client.get("/danh-ba/"))
    assert not [a for a in page.css("nav.main a") if "/api/" in a.attributes["href"]]
    assert [a for a in page.css("footer a") if a.attributes["href"] == "/api/docs"]


def test_not_found_pages_are_in_vietnamese(client, default_registry):
    response = client.get("/danh-ba/kenh/khong-co/")
    assert response.status_code == 404
    assert 'lang="vi"' in response.content.decode()


def test_english_on_request(client, default_registry):
    response = client.get("/danh-ba/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()
    assert "Directory of official channels" in response.content.decode()
    headings = [h.text(strip=True) for h in html_of(response).css("section.level > h2")]
    assert headings[0] == "Province"


def test_server_error_page_is_in_vietnamese_and_needs_no_database(rf):
    from chinhthong.config.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert 'lang="vi"' in response.content.decode()
    assert "Trang chủ" in response.content.decode()
