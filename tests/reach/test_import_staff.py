"""`chinhthong staff import`: a roster from CSV or Excel, as an operator runs it."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from chinhthong.accounts import roles
from chinhthong.config import cli
from chinhthong.reach import organisation
from chinhthong.reach.models import StaffMember, Unit

cli._mount()
runner = CliRunner()
DATA = Path(__file__).parent / "data"
HEADER = ["name", "unit", "position", "category", "email", "phone", "zalo_id"]


def run(*args):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


@pytest.fixture
def units(db):
    result = run("units", "import", str(DATA / "units.csv"))
    assert result.exit_code == 0, result.output
    return {u.code: u for u in Unit.objects.all()}


def write_xlsx(path: Path, rows: list[list], title: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])  # a title above the header, as rosters often have
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def people() -> dict[str, StaffMember]:
    return {s.name: s for s in StaffMember.objects.select_related("unit", "user")}


def test_a_clean_csv_roster_is_stored_with_canonical_identifiers_and_accounts(units):
    result = run("staff", "import", str(DATA / "staff.csv"))
    assert result.exit_code == 0, result.output
    assert "thêm: 5, cập nhật: 0 (chuyển đơn vị: 0), không đổi: 0" in result.output
    found = people()
    assert set(found) == {
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
        "Hoàng Văn Em",
    }
    an, binh, cuong = found["Nguyễn Văn An"], found["Trần Thị Bình"], found["Lê Văn Cường"]
    assert an.unit.code == "CP-CT" and an.phone == "+84912345678" and an.category == "CB"
    # By full path, spaces around the separator or none; email in lower case.
    assert binh.unit.code == "CP-CT" and binh.email == "binh.tt@quangninh.gov.vn"
    assert cuong.unit.code == "HL-BC" and cuong.phone == "+842033835444" and cuong.user is None
    assert found["Phạm Thị Dung"].category == "NLĐ"  # "NLD" accepted
    assert found["Hoàng Văn Em"].unit.depth == 4
    # Each person with an email has an account: their email, no password, the staff role.
    user = an.user
    assert user.username == "an.nv@quangninh.gov.vn" and not user.has_usable_password()
    assert user.groups.filter(name=roles.STAFF).exists() and not user.is_staff
    assert binh.user.username == "binh.tt@quangninh.gov.vn"


def test_importing_the_same_roster_again_changes_nothing(units):
    assert run("staff", "import", str(DATA / "staff.csv")).exit_code == 0
    before = list(StaffMember.history.values_list("history_id", flat=True))
    users = get_user_model().objects.count()
    again = run("staff", "import", str(DATA / "staff.csv"))
    assert again.exit_code == 0, again.output
    assert "thêm: 0, cập nhật: 0 (chuyển đơn vị: 0), không đổi: 5, cho nghỉ: 0" in again.output
    assert list(StaffMember.history.values_list("history_id", flat=True)) == before
    assert get_user_model().objects.count() == users


def test_a_clean_excel_roster_with_a_title_row_and_numbers_as_numbers(units, tmp_path):
    rows = [
        ["STT", "Họ và tên", "Đơn vị", "Chức vụ", "Loại", "Email", "Số điện thoại", "Zalo"],
        # Excel keeps a phone typed as a number without its leading 0.
        [1, "Nguyễn Văn An", "CP-CT", "Chủ tịch", "cb", "an.nv@quangninh.gov.vn", 912345678, None],
        [2, "Trần Thị Bình", "Tỉnh Quảng Ninh / Thành phố Hạ Long", None, "Công chức", None,
         "0913 000 111", "9876543210"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "danh-sach.xlsx", rows, title="DANH SÁCH CÁN BỘ, CÔNG CHỨC")
    result = run("staff", "import", str(path))
    assert result.exit_code == 0, result.output
    found = people()
    assert found["Nguyễn Văn An"].phone == "+84912345678"
    assert found["Trần Thị Bình"].unit.code == "HL" and found["Trần Thị Bình"].category == "CC"
    assert found["Trần Thị Bình"].zalo_id == "9876543210"
    again = run("staff", "import", str(path))
    assert "thêm: 0, cập nhật: 0 (chuyển đơn vị: 0), không đổi: 2" in again.output


def test_a_roster_with_bad_rows_lists_every_one_and_stores_nothing(units):
    for name, email, phone in (
        ("Người Đã Có", "da-co@quangninh.gov.vn", "0977111222"),
        ("Người Thứ Hai", "thu-hai@quangninh.gov.vn", "0977333444"),
    ):
        person = StaffMember(name=name, unit=units["HL"], category="CC", email=email, phone=phone)
        organisation.save_staff(person)
    stored = list(StaffMember.objects.values_list("pk", flat=True))
    users = get_user_model().objects.count()
    result = run("staff", "import", str(DATA / "staff_bad.csv"))
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "Không nhập gì cả: 10 lỗi." in output
    expected = [
        "Dòng 2: Cùng một người với dòng 6: thư điện tử an.nv@quangninh.gov.vn có ở cả hai.",
        "Dòng 3: Không có đơn vị “KHONG-CO”",
        "Dòng 4: “cuong@@quangninh” không phải địa chỉ email hợp lệ.",
        "Dòng 5: “0123” không phải số điện thoại di động hay cố định của Việt Nam",
        "Dòng 6: Cùng một người với dòng 2: thư điện tử an.nv@quangninh.gov.vn có ở cả hai.",
        "Dòng 7: “XX” không phải loại cán bộ: ghi CB, CC, VC hoặc NLĐ.",
        "Dòng 8: Thiếu họ tên.",
        "Dòng 9: Số điện thoại 0977 333 444 đã thuộc về người khác, Người Thứ Hai (Thành phố "
        "Hạ Long).",
        "Dòng 10: Thiếu loại cán bộ (CB, CC, VC hoặc NLĐ).",
        "Dòng 11: Cần email hoặc số điện thoại: mỗi người được nhận ra bằng chúng.",
    ]
    for line in expected:
        assert line in output, line
    assert list(StaffMember.objects.values_list("pk", flat=True)) == stored
    assert get_user_model().objects.count() == users


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("thieu-cot.csv", "name,position\nAn,Chủ tịch\n", "Tệp thiếu các cột unit, category"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "Chỉ nhập được tệp CSV"),
        ("gia.xlsx", "name,unit\n", "không phải bảng tính Excel"),
        ("cu.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "tệp Excel cũ (.xls)"),
        (
            "cp1258.csv",
            "name,unit,category,email\nNguy\xean,CP,CC,a@b.vn\n".encode("cp1258"),
            "không phải văn bản UTF-8",
        ),
        ("utf16.csv", "name,unit,category,email\n".encode("utf-16"), "là văn bản UTF-16"),
        ("lon.csv", b"name,unit,category,email\n" + b"x" * (8 * 2**20), "lớn hơn 8 MB"),
        ("rong.csv", "", "Tệp trống."),
        ("khong-email.csv", "name,unit,category\nAn,CP,CC\n", "cần cột email hoặc cột điện thoại"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_saying_why(units, tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    result = run("staff", "import", str(path))
    assert result.exit_code == 2
    assert problem in " ".join(result.output.split())
    assert not StaffMember.objects.exists()


def test_semicolons_as_excel_writes_csv_in_vietnamese_regional_settings(units, tmp_path):
    path = tmp_path / "danh-sach.csv"
    text = "name;unit;category;email\nNguyễn Văn An;CP-CT;CB;an.nv@quangninh.gov.vn\n"
    path.write_bytes("\ufeff".encode() + text.encode())  # with Excel's byte-order mark
    assert run("staff", "import", str(path)).exit_code == 0
    assert people()["Nguyễn Văn An"].unit.code == "CP-CT"


def test_dry_run_shows_the_changes_and_stores_nothing(units):
    result = run("staff", "import", "--dry-run", str(DATA / "staff.csv"))
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "thêm: 5" in output and "chưa ghi gì (chạy thử)" in output
    assert "Nguyễn Văn An" in result.output
    assert not StaffMember.objects.exists()
    assert not get_user_model().objects.exists()


def _roster(tmp_path, rows, name="ds.csv") -> str:
    path = tmp_path / name
    lines = [",".join(HEADER)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


AN = ["Nguyễn Văn An", "CP-CT", "Chủ tịch", "CB", "an.nv@quangninh.gov.vn", "0912345678", ""]
BINH = ["Trần Thị Bình", "CP-CT", "", "CC", "binh@quangninh.gov.vn", "", ""]
CUONG = ["Lê Văn Cường", "HL", "", "VC", "", "0913000111", ""]


def test_a_move_between_units_is_kept_in_the_history(units, tmp_path):
    assert run("staff", "import", _roster(tmp_path, [AN, BINH])).exit_code == 0
    moved = [*AN[:1], "HL-BC", *AN[2:]]
    result = run("staff", "import", "--user", "", _roster(tmp_path, [moved, BINH], "moi.csv"))
    assert result.exit_code == 0, result.output
    assert "cập nhật: 1 (chuyển đơn vị: 1)" in result.output
    an = people()["Nguyễn Văn An"]
    assert an.unit.code == "HL-BC"
    moves = organisation.unit_moves(an)
    assert [(m.old_unit, m.new_unit) for m in moves] == [("Phường Cẩm Tây", "Phường Bãi Cháy")]
    assert moves[0].reason == "Nhập từ tệp moi.csv"
    shown = run("staff", "history", "AN.NV@quangninh.gov.vn")
    assert "từ Phường Cẩm Tây sang Phường Bãi Cháy" in shown.output
    assert "Tỉnh Quảng Ninh / Thành phố Hạ Long / Phường Bãi Cháy" in shown.output


def test_a_person_is_recognised_by_phone_when_the_email_is_new(units, tmp_path):
    assert run("staff", "import", _roster(tmp_path, [AN])).exit_code == 0
    changed = [*AN[:4], "an.moi@quangninh.gov.vn", "+84 912 345 678", ""]
    result = run("staff", "import", _roster(tmp_path, [changed]))
    assert "cập nhật: 1" in result.output
    an = StaffMember.objects.get()
    assert an.email == "an.moi@quangninh.gov.vn"
    assert an.user.username == "an.moi@quangninh.gov.vn"  # the account follows


def test_two_rows_for_one_stored_person_are_each_told_once(units, tmp_path):
    assert run("staff", "import", _roster(tmp_path, [AN])).exit_code == 0
    again = [*AN[:4], "", "0912 345 678", ""]  # An again, by the same phone
    result = run("staff", "import", _roster(tmp_path, [AN, again]))
    output = " ".join(result.output.split())
    assert "Không nhập gì cả: 2 lỗi." in output
    assert "Dòng 2: Cùng một người với dòng 3: số điện thoại 0912 345 678 có ở cả hai." in output
    assert "Dòng 3: Cùng một người với dòng 2: số điện thoại 0912 345 678 có ở cả hai." in output
    # Found by different values (email, phone), the second row is told who it repeats.
    by_phone = ["An Khác Tên", "CP-CT", "", "CB", "an.khac@quangninh.gov.vn", "0912345678", ""]
    by_email = [*AN[:5], "", ""]
    result = run("staff", "import", _roster(tmp_path, [by_email, by_phone]))
    assert "Dòng 3: Cùng một người với dòng 2 (Nguyễn Văn An)." in result.output


def test_people_left_out_of_a_full_roster_are_deactivated_only_when_asked(units, tmp_path):
    assert run("staff", "import", _roster(tmp_path, [AN, BINH, CUONG])).exit_code == 0
    only_an = _roster(tmp_path, [AN])
    kept = run("staff", "import", only_an)
    assert "cho nghỉ: 0" in kept.output
    assert StaffMember.objects.filter(active=True).count() == 3
    result = run("staff", "import", "--deactivate-missing", only_an)
    assert result.exit_code == 0, result.output
    # Bình (same unit as An) left; Cường's unit is not in the file, so his roster is not.
    assert "cho nghỉ: 1" in result.output
    binh = people()["Trần Thị Bình"]
    assert not binh.active and binh.left_at is not None
    assert not binh.user.is_active  # the account can no longer log in
    assert people()["Lê Văn Cường"].active
    assert StaffMember.objects.count() == 3  # never deleted
    back = run("staff", "import", _roster(tmp_path, [AN, BINH]))
    assert "cập nhật: 1" in back.output
    binh = people()["Trần Thị Bình"]
    assert binh.active and binh.left_at is None and binh.user.is_active


def test_deactivate_command(units, tmp_path):
    assert run("staff", "import", _roster(tmp_path, [AN])).exit_code == 0
    result = run("staff", "deactivate", "an.nv@quangninh.gov.vn")
    assert result.exit_code == 0 and "không còn hoạt động" in result.output
    an = StaffMember.objects.get()
    assert not an.active and not an.user.is_active
    missing = run("staff", "deactivate", "khong-co@quangninh.gov.vn")
    assert missing.exit_code == 2 and "Không có cán bộ nào có email" in missing.output


def test_an_unknown_author_is_refused_before_anything_is_read(units, tmp_path):
    result = run("staff", "import", "--user", "khong-co-ai", _roster(tmp_path, [AN]))
    assert result.exit_code == 2 and "khong-co-ai" in result.output
    assert not StaffMember.objects.exists()


def test_an_unreadable_file_is_named(db, tmp_path):
    result = run("staff", "import", str(tmp_path / "khong-co.csv"))
    assert result.exit_code == 2 and "khong-co.csv" in result.output


def test_a_damaged_workbook_is_refused(units, tmp_path):
    buffer = io.BytesIO()
    write_xlsx(buffer, [HEADER, AN])
    damaged = buffer.getvalue()[:-200]
    path = tmp_path / "hong.xlsx"
    path.write_bytes(damaged)
    result = run("staff", "import", str(path))
    assert result.exit_code == 2 and "không phải bảng tính Excel hợp lệ" in result.output
