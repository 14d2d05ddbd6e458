"""The back office's import pages: upload → preview (or every bad row) → confirm."""

import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.reach import importers, organisation, staff_import
from chinhthong.reach.models import StaffMember, Unit
from tests.conftest import PASSWORD

DATA = Path(__file__).parent / "data"
UNITS_URL = "/quan-tri/reach/unit/import/"
STAFF_URL = "/quan-tri/reach/staffmember/import/"


@pytest.fixture
def admin_client(client, db):
    importers.import_units((DATA / "units.csv").read_bytes(), "units.csv")
    user = accounts.create_user("quan-tri-to-chuc", PASSWORD, role=roles.ADMINISTRATOR)
    client.force_login(user)
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def confirm(client, url, preview):
    token, digest = preview.context["token"], preview.context["digest"]
    return client.post(url, {"token": token, "digest": digest})


def test_a_roster_with_bad_rows_is_listed_row_by_row_and_nothing_is_stored(admin_client):
    page = admin_client.get(STAFF_URL)
    assert page.status_code == 200 and "Nhập cán bộ từ tệp" in text_of(page)
    response = admin_client.post(
        STAFF_URL, {"file": upload("ds.csv", (DATA / "staff_bad.csv").read_bytes())}
    )
    assert response.status_code == 200
    shown = text_of(response)
    assert "Không nhập gì cả: 9 lỗi." in shown
    for row, problem in (
        (2, "Cùng một người với dòng 6"),
        (3, "Không có đơn vị “KHONG-CO”"),
        (4, "“cuong@@quangninh” không phải địa chỉ email hợp lệ."),
        (5, "“0123” không phải số điện thoại"),
        (6, "Cùng một người với dòng 2"),
        (7, "“XX” không phải loại cán bộ"),
        (8, "Thiếu họ tên."),
        (10, "Thiếu loại cán bộ"),
        (11, "Cần email hoặc số điện thoại"),
    ):
        assert f"{row} {problem}" in shown, (row, problem)
    assert "confirm-import" not in response.content.decode()  # nothing to confirm
    assert not StaffMember.objects.exists()


def test_preview_then_confirm_imports_the_file_previewed(admin_client):
    content = (DATA / "staff.csv").read_bytes()
    preview = admin_client.post(STAFF_URL, {"file": upload("staff.csv", content)})
    shown = text_of(preview)
    assert "Thêm 5, sửa 0 (trong đó 0 người chuyển đơn vị)" in shown
    assert "Nguyễn Văn An" in shown and "an.nv@quangninh.gov.vn" in shown
    assert hashlib.sha256(content).hexdigest() in shown
    assert not StaffMember.objects.exists()  # a preview stores nothing
    done = confirm(admin_client, STAFF_URL, preview)
    assert done.status_code == 302 and done["Location"] == "/quan-tri/reach/staffmember/"
    assert StaffMember.objects.count() == 5
    listed = admin_client.get(done["Location"])
    assert "Đã nhập: thêm 5, cập nhật 0" in text_of(listed)
    # The preview is used once.
    again = confirm(admin_client, STAFF_URL, preview)
    assert again.status_code == 200 and "hết hạn" in text_of(again)
    history = StaffMember.history.count()
    assert history == 5


def test_a_confirmation_naming_another_digest_stores_nothing(admin_client):
    content = (DATA / "staff.csv").read_bytes()
    preview = admin_client.post(STAFF_URL, {"file": upload("staff.csv", content)})
    forged = hashlib.sha256(b"another file").hexdigest()
    response = admin_client.post(STAFF_URL, {"token": preview.context["token"], "digest": forged})
    assert response.status_code == 200
    assert not StaffMember.objects.exists()


def test_the_preview_shows_moves_and_deactivations(admin_client):
    staff_import.import_staff((DATA / "staff.csv").read_bytes(), "staff.csv")
    text = (
        "name,unit,category,email,phone\n"
        "Nguyễn Văn An,HL-BC,CB,an.nv@quangninh.gov.vn,0912345678\n"
        "Hoàng Văn Em,CP-CT-K1-T1,NLĐ,em.hv@quangninh.gov.vn,0987654321\n"
    )
    preview = admin_client.post(
        STAFF_URL, {"file": upload("moi.csv", text.encode()), "deactivate_missing": "on"}
    )
    shown = text_of(preview)
    assert "chuyển từ Phường Cẩm Tây sang Phường Bãi Cháy" in shown
    # Cường (Bãi Cháy, a unit of the file) is left out of its full roster; Bình's unit is
    # not in the file, so neither is her roster.
    assert "Cho nghỉ (1)" in shown and "Lê Văn Cường 0203 3835 444" in shown
    assert confirm(admin_client, STAFF_URL, preview).status_code == 302
    an = StaffMember.objects.get(email="an.nv@quangninh.gov.vn")
    assert an.unit.code == "HL-BC"
    assert not StaffMember.objects.get(phone="+842033835444").active
    assert StaffMember.objects.get(email="binh.tt@quangninh.gov.vn").active
    change = admin_client.get(f"/quan-tri/reach/staffmember/{an.pk}/change/")
    assert "Phường Cẩm Tây → Phường Bãi Cháy (quan-tri-to-chuc)" in text_of(change)
    history = admin_client.get(f"/quan-tri/reach/staffmember/{an.pk}/history/")
    assert history.status_code == 200 and "Nhập từ tệp moi.csv" in text_of(history)


def test_units_from_an_excel_file(admin_client):
    book = openpyxl.Workbook()
    for row in (["code", "name", "parent_code"], ["CP-CP", "Phường Cẩm Phú", "CP"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    preview = admin_client.post(UNITS_URL, {"file": upload("don-vi.xlsx", buffer.getvalue())})
    assert "Thêm 1" in text_of(preview)
    assert confirm(admin_client, UNITS_URL, preview).status_code == 302
    ward = Unit.objects.get(code="CP-CP")
    assert organisation.unit_path_names(ward) == [
        "Tỉnh Quảng Ninh",
        "Thành phố Cẩm Phả",
        "Phường Cẩm Phú",
    ]


def test_a_file_that_is_not_a_roster_is_refused_on_the_page(admin_client):
    response = admin_client.post(UNITS_URL, {"file": upload("anh.png", b"\x89PNG\r\n\x1a\n")})
    assert response.status_code == 200
    assert "Chỉ nhập được tệp CSV" in text_of(response)
    too_big = admin_client.post(UNITS_URL, {"file": upload("lon.csv", b"x" * (8 * 2**20 + 1))})
    assert "lớn hơn 8 MB" in text_of(too_big)
    assert Unit.objects.count() == 7


def test_the_lists_link_their_import_pages(admin_client):
    for url in ("/quan-tri/reach/unit/", "/quan-tri/reach/staffmember/"):
        page = admin_client.get(url).content.decode()
        assert f'href="{url}import/"' in page
