"""Attacks on the way reports come in and are shown, replayed: each is refused or made
harmless, nothing is half stored, nothing answers 500."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from chinhthong.reports import intake
from chinhthong.reports.models import Evidence, Report

from .helpers import handler_user, png, published_rebuttal, report


def published_case():
    return published_rebuttal()


pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@override_settings(REPORT_RATE_LIMIT="3/m")
def test_reports_are_limited_per_client_by_form_and_api_together(
    client, default_registry, limiter_clock
):
    def form():
        return client.post(
            reverse("reports:report"), {"claim": "Tin đồn số một về dịch bệnh ở Hạ Long"}
        ).status_code

    def api():
        body = json.dumps({"claim": "Tin đồn số hai về dịch bệnh ở Hạ Long"})
        return client.post("/api/v1/reports", body, content_type="application/json").status_code

    assert [form(), api(), form(), api(), form()] == [302, 201, 302, 429, 429]
    assert Report.objects.count() == 3
    assert (
        client.get(reverse("reports:report")).status_code == 200
    )  # reading the form is not a report
    other = client.post(
        reverse("reports:report"),
        {"claim": "Tin đồn của một người khác ở Cẩm Phả"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other.status_code == 302


def test_script_in_a_report_is_shown_as_text_everywhere(client, default_registry):
    made = report(claim=f"Bài đăng {SCRIPT}", contact_name=SCRIPT, contact_email="a@example.vn")
    pages = [client.get(reverse("reports:receipt", args=[made.tracking_code])).content.decode()]
    client.force_login(handler_user())
    pages.append(client.get(reverse("reports:case", args=[made.case.number])).content.decode())
    pages.append(client.get(reverse("reports:queue")).content.decode())
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in pages[1]


def test_file_names_and_types_cannot_be_used_against_the_handlers(client, default_registry):
    made = report(files=[], claim="Ảnh chụp bài đăng giả mạo trang của tỉnh")
    from chinhthong.reports import intake

    checked = intake.evidence.check_image(png(), "../../etc/passwd.png")
    item = intake.add_file(
        made.case, made, intake.Upload('../../"evil.png\r\nX: y', png()), checked, actor=None
    )
    client.force_login(handler_user())
    download = client.get(reverse("reports:evidence", args=[item.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        "\r" not in download["Content-Disposition"] and "\n" not in download["Content-Disposition"]
    )
    assert "sandbox" in download["Content-Security-Policy"]
    shown = client.get(reverse("reports:evidence-shown", args=[item.pk]))
    assert shown["Content-Type"] == "image/png" and shown.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "name, data",
    [
        ("anh.png", b"GIF89a" + b"\x00" * 20),  # a truncated picture
        ("anh.jpg", b"%PDF-1.7\n1 0 obj<<>>endobj\n"),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("bom.png", None),  # a picture that claims too many pixels
    ],
)
def test_files_that_are_not_pictures_are_refused_whole(client, default_registry, name, data):
    if data is None:
        import struct
        import zlib

        header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
        chunk = b"IHDR" + header
        data = (
            b"\x89PNG\r\n\x1a\n"
            + struct.pack(">I", 13)
            + chunk
            + struct.pack(">I", zlib.crc32(chunk))
        )
    answer = client.post(
        reverse("reports:report"),
        {
            "claim": "Bài đăng sai sự thật về giá xăng",
            "screenshots": [SimpleUploadedFile(name, data)],
        },
    )
    assert answer.status_code == 400
    assert not Report.objects.exists() and not Evidence.objects.exists()


@override_settings(REPORT_RATE_LIMIT="1000/m")
def test_hostile_api_bodies_answer_400_not_500(client, default_registry):
    bodies = [
        "[" * 5000 + "]" * 5000,
        '{"links": "https://a.example/"}',
        '{"links": [1, 2]}',
        '{"claim": {"x": 1}}',
        '{"claim": "Một tin đồn đủ dài để nhận", "seen_at": "hôm qua"}',
        '{"claim": "Một tin đồn đủ dài để nhận", "seen_at": "2999-01-01T00:00:00Z"}',
        '{"claim": "Một tin đồn đủ dài để nhận", "contact": ["a"]}',
        '{"links": ["javascript:alert(1)"]}',
        '{"links": ["https://' + "a" * 3000 + '.example/"]}',
        "not json",
        '{"claim": "' + "x" * 20_000 + '"}',
    ]
    for body in bodies:
        answer = client.post("/api/v1/reports", body, content_type="application/json")
        assert answer.status_code == 400, (body[:40], answer.status_code)
        assert answer.json()["detail"]
    assert not Report.objects.exists()
    assert client.get("/api/v1/reports/" + "%00" * 10).status_code == 404


def test_a_body_over_the_reports_limit_is_refused_before_it_is_read(client, default_registry):
    from chinhthong.reports.views import MAX_REPORT_BODY

    big = SimpleUploadedFile("to.png", b"\x89PNG" + b"0" * (MAX_REPORT_BODY + 10))
    answer = client.post(reverse("reports:report"), {"screenshots": [big]})
    assert answer.status_code == 413
    assert not Report.objects.exists()


def test_reports_cannot_put_their_links_on_a_published_rebuttal(client, default_registry):
    from chinhthong.reports.models import Verdict

    made = published_case()
    before = client.get(reverse("reports:rebuttal", args=[made.case.rebuttal_slug])).content
    joined = report(
        claim="x",
        links=["https://victim.example/bai-goc", "https://www.facebook.com/ho-tro-tien/posts/789"],
    )
    assert joined.case_id == made.case_id and made.case.verdict == Verdict.FABRICATED
    page = client.get(reverse("reports:rebuttal", args=[made.case.rebuttal_slug])).content
    assert b"victim.example" not in page and page.count(b"ho-tro-tien") == before.count(
        b"ho-tro-tien"
    )


def test_flat_pictures_do_not_join_cases_and_pictures_never_join_decided_ones(default_registry):
    from PIL import Image

    from chinhthong.reports import handling
    from chinhthong.reports.models import Verdict

    def flat(colour):
        out = io.BytesIO()
        Image.new("RGB", (300, 300), colour).save(out, "PNG")
        return out.getvalue()

    def picture_report(claim, data, name="anh.png"):
        return report(claim=claim, links=[], files=[intake.Upload(name, data)])

    first = picture_report("Tin đồn thứ nhất về nước sạch", flat((255, 0, 0)))
    second = picture_report("Một chuyện hoàn toàn khác về học phí", flat((0, 0, 255)))
    assert first.case_id != second.case_id
    shot = png()
    decided = picture_report("Ảnh chụp bài đăng giả mạo về cấp phát tiền", shot).case
    handling.decide(decided, actor=handler_user(), verdict=Verdict.FALSE, finding="Đã xác minh.")
    again = picture_report("Ảnh này lại lan truyền trên mạng", shot)
    assert again.case_id != decided.pk and again.suggested_case_id == decided.pk
