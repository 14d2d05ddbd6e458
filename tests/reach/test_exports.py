"""A unit's table and its list of staff who lag, downloaded as CSV and XLSX: what the page
shows, named after the unit and the day, readable by spreadsheets, and with nothing a
spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from chinhthong.reach import events, laggards, organisation
from chinhthong.reach.exports import neutralise
from chinhthong.reach.models import Category, StaffMember
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x.example","bấm")', "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1"]


@pytest.fixture
def world():
    tree = make_tree()
    odd = organisation.create_unit(code="CP/ĐB 1", name='=Đội "đặc biệt"', parent=tree["CP"])
    people = [
        make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        make_staff(odd, "=cmd|' /C calc'!A0"),
    ]
    hostile = StaffMember(
        name="Trần Thị Bình", unit=tree["CP-CP"], category=Category.VC, position="+chức vụ"
    )
    people.append(organisation.save_staff(hostile))
    bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    events.record_read(people[0], bulletin)
    events.record_access(people[0])
    events.declare_app_installed(people[0], on=timezone.localdate())
    client = Client()
    client.force_login(make_manager(tree["CP"], "quanly-cp"))
    return {"tree": tree, "odd": odd, "people": people, "client": client}


def _csv(answer) -> list[list[str]]:
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheets read UTF-8 with it
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(answer) -> list[list]:
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_table_as_csv_and_xlsx(world):
    client, today = world["client"], timezone.localdate().isoformat()
    answer = client.get("/cong-chuc/don-vi/CP/xuat/bang-so-lieu.csv?days=7")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == f'attachment; filename="bang-so-lieu-CP-{today}.csv"'
    rows = _csv(answer)
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Cán bộ"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {
        '\'=Đội "đặc biệt"',
        "Phường Cẩm Phú",
        "Phường Cẩm Tây",
        "Cán bộ tại Thành phố Cẩm Phả",
        "Tổng",
    }
    assert by_name["Tổng"][2] == "3"
    assert by_name["Phường Cẩm Tây"][2] == "1"
    answer = client.get("/cong-chuc/don-vi/CP/xuat/bang-so-lieu.xlsx?days=7")
    assert answer["Content-Disposition"] == f'attachment; filename="bang-so-lieu-CP-{today}.xlsx"'
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _xlsx(answer)
    assert [str(c) if c is not None else "" for c in sheet[0]] == rows[0]
    assert len(sheet) == len(rows)
    totals = next(row for row in sheet if row[1] == "Tổng")
    assert totals[2] == 3  # numbers stay numbers


def test_the_list_of_staff_who_lag_lists_everyone_even_beyond_the_page(world, monkeypatch):
    monkeypatch.setattr(laggards, "PAGE_LIMIT", 1)
    client = world["client"]
    page = client.get("/cong-chuc/don-vi/CP/").content.decode()
    assert page.count('<ul class="missing">') == 1  # one row of the list on the page
    rows = _csv(client.get("/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv"))
    names = [row[0] for row in rows[1:]]
    # An read the urgent bulletin, opened the portal and declared the app: An does not lag.
    assert sorted(names) == sorted(["'=cmd|' /C calc'!A0", "Trần Thị Bình"])
    binh = next(row for row in rows[1:] if row[0] == "Trần Thị Bình")
    assert binh[1:3] == ["CP-CP", "Phường Cẩm Phú"]
    # One urgent bulletin unread, never came, no app (nor anyone who confirmed it).
    assert binh[4:] == ["1", "", "", "không", ""]
    sheet = _xlsx(client.get("/cong-chuc/don-vi/CP/xuat/can-bo-cham.xlsx"))
    assert [row[0] for row in sheet[1:]] == names
    binh = next(row for row in sheet if row[0] == "Trần Thị Bình")
    assert binh[3] == "'+chức vụ"


def test_nothing_in_a_file_starts_a_formula(world):
    client = world["client"]
    for path in (
        "/cong-chuc/don-vi/CP/xuat/bang-so-lieu.xlsx",
        "/cong-chuc/don-vi/CP/xuat/can-bo-cham.xlsx",
    ):
        for row in _xlsx(client.get(path)):
            for cell in row:
                assert not (isinstance(cell, str) and cell.startswith(("=", "+", "-", "@")))
    for path in (
        "/cong-chuc/don-vi/CP/xuat/bang-so-lieu.csv",
        "/cong-chuc/don-vi/CP/xuat/can-bo-cham.csv",
    ):
        answer = client.get(path)
        for row in _csv(answer):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in row)
        # Each cell quoted, so that no ";" inside one splits it where ";" separates cells.
        for line in answer.content.decode("utf-8-sig").splitlines():
            assert line.startswith('"') and line.endswith('"'), line


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_is_made_plain(value):
    assert neutralise(value) == "'" + value
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise("Cẩm Phả") == "Cẩm Phả"


def test_a_unit_whose_code_has_any_character_has_its_files(world):
    client, today = world["client"], timezone.localdate().isoformat()
    answer = client.get("/cong-chuc/don-vi/CP/ĐB 1/xuat/can-bo-cham.csv")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="can-bo-cham-CP_B_1-{today}.csv"'
    assert client.get("/cong-chuc/don-vi/CP/ĐB 1/").status_code == 200
