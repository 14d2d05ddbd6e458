"""POST /api/v1/check and the "Kiểm tra" page."""

import pytest
from django.test import override_settings

from chinhthong.checks.engines import reset


def test_check_one_input(client, default_registry):
    response = client.post(
        "/api/v1/check",
        {"input": "https://quangninh-gov.vn/tra-cuu"},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["verdict"] == "impersonation"
    assert data["lookalike_of"]["slug"] == "web-cong-ttdt-quang-ninh"
    assert data["reasons"][0]["code"] == "hyphen_for_dot"
    assert "quangninh.gov.vn" in data["reasons"][0]["message"]


def test_reasons_come_in_the_language_the_client_asks_for(client, default_registry):
    def message(language: str) -> str:
        response = client.post(
            "/api/v1/check",
            {"input": "https://quangninh-gov.vn/"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        return response.json()["reasons"][0]["message"]

    vietnamese, english, again = message("vi"), message("en"), message("vi")
    assert "dấu gạch ngang thay cho dấu chấm" in vietnamese, vietnamese
    assert "with a hyphen in place of a dot" in english, english
    assert again == vietnamese


def test_a_phone_number_is_checked_as_a_number(client, default_registry):
    response = client.post("/api/v1/check", {"input": "113"}, content_type="application/json")
    data = response.json()
    assert (data["kind"], data["verdict"]) == ("phone", "official")
    assert data["reasons"][0]["code"] == "emergency_number"
    assert data["reasons"][0]["message"] == (
        "113 là số điện thoại khẩn cấp quốc gia của Công an: gọi miễn phí từ mọi máy. "
        "Số này không bao giờ đòi tiền, mật khẩu hay mã OTP."
    )


def test_check_a_batch(client, default_registry):
    inputs = [
        "https://www.quangninh.gov.vn/",
        "facebook.com/KiemSoatBenhTatQuangNinh",
        "bit.ly/abc",
    ]
    response = client.post("/api/v1/check", {"inputs": inputs}, content_type="application/json")
    verdicts = [r["verdict"] for r in response.json()["results"]]
    assert verdicts == ["official", "official", "suspicious"]
    assert (
        response.json()["results"][1]["channel"]["slug"] == "facebook-kiem-soat-benh-tat-quang-ninh"
    )


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"input": ""}, 422),
        ({"input": "x" * 10_001}, 422),
        ({"inputs": ["a.vn"] * 101}, 422),
        ({"input": 5}, 422),
    ],
)
def test_bad_requests_get_clear_errors(client, db, payload, status):
    response = client.post("/api/v1/check", payload, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"]


def test_oversized_check_body_is_refused_in_vietnamese(client, db):
    from chinhthong.checks.services import MAX_CHECK_BYTES

    body = b'{"input": "' + b"a" * MAX_CHECK_BYTES + b'"}'
    response = client.post("/api/v1/check", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Nội dung yêu cầu lớn hơn 4 MB, mức tối đa địa chỉ này nhận."
    )


def test_body_that_is_not_json_gets_a_clear_error(client, db):
    response = client.post("/api/v1/check", b"input=a.vn", content_type="application/json")
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_check_uses_the_live_registry(client, default_registry, django_capture_on_commit_callbacks):
    from chinhthong.registry.models import Channel

    assert (
        client.post("/api/v1/check", {"input": "who.int"}, content_type="application/json").json()[
            "verdict"
        ]
        == "official"
    )
    channel = Channel.objects.get(slug="web-who")
    channel.status = "retired"
    with django_capture_on_commit_callbacks(execute=True):
        channel.save()
    reset()  # the engine would notice within seconds on its own
    assert (
        client.post("/api/v1/check", {"input": "who.int"}, content_type="application/json").json()[
            "verdict"
        ]
        == "unknown"
    )


@override_settings(PUBLIC_RATE_LIMIT="2/m")
def test_check_api_is_rate_limited(client, default_registry):
    codes = [
        client.post("/api/v1/check", {"input": "a.vn"}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_page_checks_a_link_with_a_shareable_address(client, default_registry):
    response = client.post("/kiem-tra/", {"q": "https://gplx-gov.vn/doi-bang"})
    assert response.status_code == 302
    assert response["Location"].startswith("/kiem-tra/?q=https%3A%2F%2Fgplx-gov.vn")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "verdict-impersonation" in html
    assert "/danh-ba/kenh/web-giay-phep-lai-xe/" in html  # the real one, linked
    assert "gplx.gov.vn" in html


def test_page_checks_a_forwarded_message_without_putting_it_in_the_address(
    client, default_registry
):
    text = (
        "Thông báo: cập nhật VNeID tại https://vneid-gov.com/capnhat\n"
        "Liên hệ: hotro@quangninh.gov.vn"
    )
    response = client.post("/kiem-tra/", {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "verdict-impersonation" in html and "hotro@quangninh.gov.vn" in html


def test_page_refuses_empty_and_non_email_uploads(client, db):
    assert client.post("/kiem-tra/", {"q": ""}).status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("thu.eml", b"%PDF-1.7 not a message", content_type="message/rfc822")
    response = client.post("/kiem-tra/", {"eml": fake})
    assert response.status_code == 400
    assert (
        "không phải" in response.content.decode().lower()
        or "not an email" in response.content.decode()
    )
