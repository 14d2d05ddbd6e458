"""`chinhthong units import`: the tree of units from a file, parents anywhere in it."""

from pathlib import Path

import openpyxl
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from chinhthong.accounts import roles
from chinhthong.config import cli
from chinhthong.reach import organisation
from chinhthong.reach.models import Unit
from tests.conftest import PASSWORD

cli._mount()
runner = CliRunner()
DATA = Path(__file__).parent / "data"


def run(*args):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def flat(result) -> str:
    return " ".join(result.output.split())


def tree() -> dict[str, tuple[str, str | None, int]]:
    """code -> (name, parent's code, depth)"""
    return {
        u.code: (u.name, u.parent.code if u.parent else None, u.depth)
        for u in Unit.objects.select_related("parent")
    }


def csv_file(tmp_path, text: str, name: str = "don-vi.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_tree_of_five_levels_with_parents_after_their_children(db):
    result = run("units", "import", str(DATA / "units.csv"))
    assert result.exit_code == 0, result.output
    assert "thêm: 7, cập nhật: 0" in flat(result)
    assert tree() == {
        "QN": ("Tỉnh Quảng Ninh", None, 0),
        "CP": ("Thành phố Cẩm Phả", "QN", 1),
        "CP-CT": ("Phường Cẩm Tây", "CP", 2),
        "CP-CT-K1": ("Khu phố 1", "CP-CT", 3),
        "CP-CT-K1-T1": ("Tổ dân phố 1", "CP-CT-K1", 4),
        "HL": ("Thành phố Hạ Long", "QN", 1),
        "HL-BC": ("Phường Bãi Cháy", "HL", 2),
    }
    cp = Unit.objects.get(code="CP")
    assert {u.code for u in organisation.subtree(cp)} == {"CP", "CP-CT", "CP-CT-K1", "CP-CT-K1-T1"}
    listed = run("units", "list").output.splitlines()
    assert listed[:2] == ["Tỉnh Quảng Ninh [QN]", "  Thành phố Cẩm Phả [CP]"]
    assert "        Tổ dân phố 1 [CP-CT-K1-T1]" in listed


def test_importing_the_same_units_again_changes_nothing(db):
    assert run("units", "import", str(DATA / "units.csv")).exit_code == 0
    history = Unit.history.count()
    again = run("units", "import", str(DATA / "units.csv"))
    assert "thêm: 0, cập nhật: 0 (chuyển đơn vị: 0), không đổi: 7" in flat(again)
    assert Unit.history.count() == history


def test_a_reorganisation_moves_a_unit_with_its_subtree_and_renames(db, tmp_path):
    """2025: district level removed; the wards go straight under the province."""
    assert run("units", "import", str(DATA / "units.csv")).exit_code == 0
    text = "code,name,parent_code\nCP-CT,Phường Cẩm Tây (mới),QN\n"
    dry = run("units", "import", "--dry-run", csv_file(tmp_path, text))
    assert "cập nhật: 1 (chuyển đơn vị: 1)" in flat(dry) and "chạy thử" in flat(dry)
    assert tree()["CP-CT"] == ("Phường Cẩm Tây", "CP", 2)
    result = run("units", "import", csv_file(tmp_path, text))
    assert result.exit_code == 0, result.output
    found = tree()
    assert found["CP-CT"] == ("Phường Cẩm Tây (mới)", "QN", 1)
    assert found["CP-CT-K1-T1"] == ("Tổ dân phố 1", "CP-CT-K1", 3)
    moved = Unit.objects.get(code="CP-CT-K1-T1")
    assert moved in organisation.subtree(Unit.objects.get(code="CP-CT"))
    assert moved not in organisation.subtree(Unit.objects.get(code="CP"))


def test_a_unit_can_move_under_one_that_moves_out_of_its_subtree_in_the_same_file(db, tmp_path):
    assert run("units", "import", str(DATA / "units.csv")).exit_code == 0
    # K1 goes to the root, then CP-CT under K1 (below which it was before).
    text = "code,name,parent_code\nCP-CT,Phường Cẩm Tây,CP-CT-K1\nCP-CT-K1,Khu phố 1,\n"
    result = run("units", "import", csv_file(tmp_path, text))
    assert result.exit_code == 0, result.output
    found = tree()
    assert found["CP-CT-K1"][1:] == (None, 0)
    assert found["CP-CT"][1:] == ("CP-CT-K1", 1)
    assert found["CP-CT-K1-T1"][1:] == ("CP-CT-K1", 1)


def test_bad_units_are_all_listed_and_nothing_is_stored(db, tmp_path):
    assert run("units", "import", str(DATA / "units.csv")).exit_code == 0
    before = tree()
    text = (
        "code,name,parent_code\n"
        "A,Đơn vị A,B\n"  # 2: A → B → C → A
        "B,Đơn vị B,C\n"  # 3
        "C,Đơn vị C,A\n"  # 4
        "D,Đơn vị D,KHONG-CO\n"  # 5: unknown parent
        "E,,QN\n"  # 6: no name
        ",Không mã,QN\n"  # 7: no code
        "F,Đơn vị F,F\n"  # 8: its own parent
        "G,Đơn vị G,QN\n"  # 9 and 10: the same code twice
        "G,Đơn vị G khác,QN\n"
        "QN,Tỉnh Quảng Ninh,CP-CT-K1\n"  # 11: the province under a unit of its own subtree
    )
    result = run("units", "import", csv_file(tmp_path, text))
    assert result.exit_code == 2
    output = flat(result)
    for line in (
        "Dòng 2: Quan hệ cấp trên của các đơn vị tạo thành vòng lặp: A → B → C → A.",
        "Dòng 3: Quan hệ cấp trên",
        "Dòng 4: Quan hệ cấp trên",
        "Dòng 5: Không có đơn vị nào có mã KHONG-CO, trong tệp cũng như trong hệ thống.",
        "Dòng 6: Thiếu tên đơn vị.",
        "Dòng 7: Thiếu mã đơn vị.",
        "Dòng 8: Một đơn vị không thể là cấp trên của chính nó.",
        "Dòng 9: Mã G cũng có ở dòng 10.",
        "Dòng 10: Mã G cũng có ở dòng 9.",
        "Dòng 11: Quan hệ cấp trên của các đơn vị tạo thành vòng lặp: QN → CP-CT-K1 → CP-CT → CP",
    ):
        assert line in output, line
    assert tree() == before


def test_units_from_excel(db, tmp_path):
    book = openpyxl.Workbook()
    for row in (["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], ["X-1", "Xã Một", "X"]):
        book.active.append(row)
    book.active.append(["X", "Huyện X", None])
    book.save(tmp_path / "don-vi.xlsx")
    result = run("units", "import", str(tmp_path / "don-vi.xlsx"))
    assert result.exit_code == 0, result.output
    assert tree() == {"X": ("Huyện X", None, 0), "X-1": ("Xã Một", "X", 1)}


def test_add_manager_gives_the_unit_manager_role(db):
    assert run("units", "import", str(DATA / "units.csv")).exit_code == 0
    user = get_user_model().objects.create_user("truong-phong", password=PASSWORD)
    result = run("units", "add-manager", "CP", "truong-phong")
    assert result.exit_code == 0, result.output
    assert user.groups.filter(name=roles.UNIT_MANAGER).exists()
    assert Unit.objects.get(code="CP").managers.filter(pk=user.pk).exists()
    assert run("units", "add-manager", "KHONG-CO", "truong-phong").exit_code == 2
    assert run("units", "add-manager", "CP", "khong-co-ai").exit_code == 2
