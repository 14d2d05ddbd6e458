"""A dashboard's table and its list of staff who lag, as CSV or XLSX files.

The caller has checked that the user may see the unit (reach/access.py): the files hold what
the page shows, under the same rules. A cell a spreadsheet would read as a formula (text that
begins with =, +, -, @, a tab or a carriage return: a name or a position typed into a roster)
is written with a leading apostrophe, so opening the file runs nothing.
"""

import csv
import datetime as dt
import io
import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from chinhthong.delivery.models import Channel
from chinhthong.reach.dashboards import CHANNELS, REGULAR_DAYS, WINDOWS, Dashboard, Figures
from chinhthong.reach.laggards import Laggard

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def neutralise(value):
    """A cell's value, with text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def filename(kind: str, code: str, day: dt.date, extension: str) -> str:
    """``kind-CODE-2026-12-05.csv``: the unit's code kept to characters any file system takes."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", code).strip("._") or "don-vi"
    return f"{kind}-{safe}-{day.isoformat()}.{extension}"


def _percent(value: float | None):
    return round(value * 100, 1) if value is not None else ""


def _average(value: float | None):
    return round(value, 2) if value is not None else ""


def figure_headers() -> list[str]:
    headers = [_("Unit code"), _("Unit"), _("Staff")]
    headers += [_("Delivered: %(channel)s") % {"channel": Channel(c).label} for c in CHANNELS]
    headers += [_("Reads owed"), _("Read within 24 hours"), _("Read within 24 hours (%)")]
    headers += [_("Shares"), _("Visits brought by shares")]
    for w in WINDOWS:
        headers += [
            _("Average days with access, last %(days)s days") % {"days": w},
            _("At least %(n)s of %(days)s days (%%)") % {"n": REGULAR_DAYS[w], "days": w},
        ]
    headers += [_("App declared (%)"), _("App confirmed (%)")]
    return headers


def figure_cells(code: str, name: str, figures: Figures) -> list:
    cells = [code, name, figures.staff]
    cells += [figures.delivered[c] for c in CHANNELS]
    cells += [figures.expected_reads, figures.read_on_time, _percent(figures.read_on_time_share)]
    cells += [figures.shared, figures.visits]
    for w in WINDOWS:
        cells += [_average(figures.average_days[w]), _percent(figures.regular_share[w])]
    cells += [_percent(figures.app_declared_share), _percent(figures.app_confirmed_share)]
    return cells


def figure_rows(board: Dashboard) -> list[list]:
    rows = []
    for row in board.rows:
        name = _("Staff of %(unit)s itself") % {"unit": row.unit.name} if row.own else row.unit.name
        rows.append(figure_cells(row.unit.code, name, row.figures))
    rows.append(figure_cells(board.unit.code, _("Total"), board.total))
    return rows


def laggard_headers() -> list[str]:
    return [
        _("Name"),
        _("Unit code"),
        _("Unit"),
        _("Position"),
        _("Urgent bulletins not read"),
        _("Last opened the portal"),
        _("App declared on"),
        _("App confirmed"),
        _("App confirmed by"),
    ]


def laggard_cells(laggard: Laggard) -> list:
    staff = laggard.staff
    return [
        staff.name,
        staff.unit.code,
        staff.unit.name,
        staff.position,
        laggard.urgent_unread,
        laggard.last_access.isoformat() if laggard.last_access else "",
        laggard.app_declared.isoformat() if laggard.app_declared else "",
        _("yes") if laggard.app_confirmed else _("no"),
        laggard.confirmed_by,
    ]


def csv_response(name: str, headers: list[str], rows) -> HttpResponse:
    """UTF-8 with a byte-order mark, which spreadsheets need to read Vietnamese right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # Every cell quoted: a spreadsheet whose regional list separator is ";" (vi-VN) splits an
    # unquoted cell at its ";", and the part after it could start a formula.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attached(response, name)


def xlsx_response(name: str, title: str, headers: list[str], rows) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return _attached(HttpResponse(out.getvalue(), content_type=XLSX_TYPE), name)


def _sheet_title(title: str) -> str:
    """A sheet's name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def _attached(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
