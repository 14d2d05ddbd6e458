"""A resident reports through the form and the API, and follows the report by its code."""

import json

import pytest
from django.urls import reverse

from chinhthong.reports.models import Evidence, Report

from .helpers import png

pytestmark = pytest.mark.django_db


def test_the_form_takes_a_report_with_a_screenshot_and_gives_a_receipt(client, default_registry):
    answer = client.post(
        reverse("reports:report"),
        {
            "links": "https://www.facebook.com/groups/1/posts/2?mibextid=x",
            "claim": "Bài đăng nói tỉnh sắp cấm xe máy vào trung tâm Hạ Long",
            "screenshots": [_upload("chup-man-hinh.png", png(exif=False))],
            "contact_email": "nguoidan@example.vn",
            "consent": "on",
        },
    )
    assert answer.status_code == 302
    report = Report.objects.get()
    assert answer["Location"] == reverse("reports:receipt", args=[report.tracking_code])
    page = client.get(answer["Location"])
    assert report.tracking_code in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert report.links.get().platform == "facebook"
    assert Evidence.objects.get().content_type == "image/png"


def test_a_text_file_named_as_a_picture_is_refused_and_nothing_is_stored(client, default_registry):
    answer = client.post(
        reverse("reports:report"),
        {
            "claim": "Tin đồn về dịch bệnh ở Cẩm Phả",
            "screenshots": [_upload("anh.png", b"<script>alert(1)</script>")],
        },
    )
    assert answer.status_code == 400
    assert "không phải" in answer.content.decode() or "not a JPEG" in answer.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_the_api_takes_a_report_and_answers_its_status(client, default_registry):
    answer = client.post(
        "/api/v1/reports",
        json.dumps(
            {
                "links": ["https://tiktok.com/@a/video/1"],
                "claim": "Video giả mạo lãnh đạo tỉnh kêu gọi góp tiền",
                "contact": "a@example.vn",
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    code = answer.json()["tracking_code"]
    status = client.get(f"/api/v1/reports/{code}")
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert "a@example.vn" not in status.content.decode()
    assert client.get("/api/v1/reports/TG-AAAA-BBBB-CCCC").status_code == 404


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_staff_member_reports_with_their_unit_filled_in(client, default_registry):
    from tests.reach.factories import make_staff, make_tree

    unit = list(make_tree().values())[-1]
    staff = make_staff(unit, "Trần Thị Bình")
    client.force_login(staff.user)
    page = client.get(reverse("reports:report")).content.decode()
    assert staff.unit.name in page
    answer = client.post(
        reverse("reports:report"),
        {"links": "https://zalo.me/g/abc", "claim": "Nhóm Zalo giả mạo UBND phường"},
    )
    assert answer.status_code == 302
    report = Report.objects.get()
    assert report.intake == "staff" and report.unit == staff.unit and report.reporter == staff.user
    assert report.contact_email == staff.email and report.consent


def test_the_form_shows_every_problem_at_once_and_stores_nothing(client, default_registry):
    answer = client.post(
        reverse("reports:report"),
        {
            "links": "khong phai lien ket",
            "claim": "Bài đăng bịa đặt về lũ quét",
            "contact_email": "khong-phai-email",
            "contact_phone": "goi cho toi",
            "screenshots": [_upload("anh.png", b"not a picture")],
        },
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"links", "screenshots", "contact_email", "contact_phone"}
    assert not Report.objects.exists()
