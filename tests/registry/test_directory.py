"""The public directory: search with or without diacritics, filters, channel and agency pages."""

import pytest


def names(response):
    return [c.name for _agency, channels in response.context["groups"] for c in channels]


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


def test_directory_lists_every_channel_grouped_by_agency(client, default_registry):
    response = client.get("/danh-ba/")
    groups = response.context["groups"]
    assert response.context["count"] == 22
    agencies = [agency.code for agency, _channels in groups]
    assert (
        agencies.index("who")
        < agencies.index("van-phong-chinh-phu")
        < agencies.index("ubnd-tinh-quang-ninh")
    )


def test_filters_by_kind_and_level(client, default_registry):
    pages = names(client.get("/danh-ba/", {"kind": "facebook_page"}))
    assert len(pages) == 5
    province_sites = names(client.get("/danh-ba/", {"kind": "website", "level": "province"}))
    assert sorted(province_sites) == [
        "Cổng thông tin công chức",
        "Cổng thông tin điện tử tỉnh Quảng Ninh",
    ]


def test_invalid_filter_is_ignored_not_an_error(client, default_registry):
    response = client.get("/danh-ba/", {"kind": "<script>"})
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_empty_result_warns_that_unlisted_is_not_official(client, default_registry):
    response = client.get("/danh-ba/", {"q": "quangning.gov.vn"})
    assert response.context["count"] == 0
    assert (
        "không phải" in response.content.decode().lower()
        or "not official" in response.content.decode()
    )


def test_channel_page_shows_source_status_and_verification(client, default_registry):
    response = client.get("/danh-ba/kenh/facebook-thong-tin-chinh-phu/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1341/STTTT-TTBCXB" in html and "31/07/2020" in html
    assert "facebook.com/thongtinchinhp/" in html  # as printed
    assert "facebook.com/thongtinchinhphu" in html


def test_pending_channel_is_not_presented_as_official(client, default_registry):
    html = client.get("/danh-ba/kenh/facebook-ddci-quang-ninh/").content.decode()
    assert "status-pending_review" in html


def test_agency_page(client, default_registry):
    html = client.get("/danh-ba/co-quan/so-tttt-quang-ninh/").content.decode()
    assert "Cổng thông tin công chức" in html and "Smart Quảng Ninh" in html


def test_not_found_pages_are_in_vietnamese(client, default_registry):
    response = client.get("/danh-ba/kenh/khong-co/")
    assert response.status_code == 404
    assert 'lang="vi"' in response.content.decode()


def test_english_on_request(client, default_registry):
    response = client.get("/danh-ba/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()
    assert "Directory of official channels" in response.content.decode()


def test_server_error_page_is_in_vietnamese_and_needs_no_database(rf):
    from chinhthong.config.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()
