"""/api/v1/ read endpoints and their OpenAPI description."""

from django.test import override_settings


def test_channels_endpoint_filters_and_paginates(client, default_registry):
    data = client.get("/api/v1/channels", {"kind": "facebook_page", "limit": 2}).json()
    assert data["count"] == 5 and len(data["items"]) == 2
    assert all(item["kind"] == "facebook_page" for item in data["items"])


def test_search_without_diacritics_through_the_api(client, default_registry):
    data = client.get("/api/v1/channels", {"q": "kiem soat benh tat"}).json()
    assert [item["facebook_username"] for item in data["items"]] == ["kiemsoatbenhtat.quangninh"]
    item = data["items"][0]
    assert item["agency"] == "cdc-quang-ninh"
    assert item["source"]["number"] == "1341/STTTT-TTBCXB"
    assert item["identifier"] == "facebook.com/kiemsoatbenhtat.quangninh"


def test_one_channel_and_one_agency(client, default_registry):
    channel = client.get("/api/v1/channels/web-cong-thong-tin-cong-chuc").json()
    assert channel["host"] == "congchuc.quangninh.gov.vn" and channel["status"] == "active"
    agency = client.get("/api/v1/agencies/so-tttt-quang-ninh").json()
    assert agency["parent"] == "ubnd-tinh-quang-ninh" and agency["level"] == "province"
    assert client.get("/api/v1/channels/khong-co").status_code == 404


def test_invalid_filter_value_is_a_clear_422(client, default_registry):
    response = client.get("/api/v1/channels", {"kind": "telegram"})
    assert response.status_code == 422
    assert "kind" in response.content.decode()


def test_agencies_by_level_and_report_recipients(client, default_registry):
    national = client.get("/api/v1/agencies", {"level": "national", "limit": 100}).json()
    assert {"bo-y-te", "van-phong-chinh-phu"} <= {a["code"] for a in national["items"]}
    recipients = client.get("/api/v1/report-recipients").json()
    assert {r["kind"] for r in recipients} == {"inspectorate", "police", "local_security"}


def test_openapi_docs_are_served_without_outside_resources(client, db):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower() and "cdn." not in html
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/channels" in schema["paths"]


@override_settings(PUBLIC_RATE_LIMIT="3/m")
def test_public_api_is_rate_limited_per_client(client, default_registry, limiter_clock):
    codes = [client.get("/api/v1/channels").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/channels")
    assert "Quá nhiều yêu cầu" in refused.json()["detail"]
    # The window is a whole minute on the clock: the client is told when it starts afresh.
    assert refused["Retry-After"] == "18"  # 42.5 s into the minute
    english = client.get("/api/v1/channels", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Too many requests; please try again in a few minutes."
    # Another client address has its own allowance.
    assert client.get("/api/v1/channels", REMOTE_ADDR="10.9.8.7").status_code == 200


@override_settings(PUBLIC_RATE_LIMIT="2/m")
def test_directory_search_is_rate_limited(client, default_registry):
    codes = [client.get("/danh-ba/", {"q": "a"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
