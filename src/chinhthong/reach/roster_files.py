"""Roster files as rows: a CSV (UTF-8, with or without the byte-order mark Excel writes; comma,
semicolon or tab between cells, as Excel writes them in the reader's regional settings) or an
Excel workbook (.xlsx, its first sheet, read with openpyxl in read-only mode).

The size is checked before anything is parsed, and a workbook's unpacked size before openpyxl
opens it (an .xlsx is a zip: a few kilobytes can unpack to gigabytes). Rows are numbered as
the spreadsheet shows them (the first row is 1), so that a problem's row number is the row a
person finds in the file. The first row naming the required columns is the header: rows above
it (a title, "DANH SÁCH CÁN BỘ…") are passed over, and so are columns the import does not use
(STT, notes). Every problem with the file itself is raised as RosterRejected.
"""

import codecs
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import NoReturn

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chinhthong.config.refusals import Refused

MAX_BYTES = 8 * 2**20  # 8 MB: a province's whole roster in CSV is a few MB
MAX_UNPACKED_BYTES = 128 * 2**20  # what a workbook may unpack to
MAX_ROWS = 100_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 1000
HEADER_SEARCH_ROWS = 20  # the header is looked for in the first rows


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # the row's number in the file; None: the file as a whole
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)s: %(problem)s") % {"row": self.row, "problem": self.message}


class RosterRejected(Refused):
    """The file was refused and nothing stored; ``problems`` names every bad row."""

    def __init__(self, problems: list[RowProblem]):
        count = len(problems)
        message = ngettext(
            "Nothing was imported: %(count)s problem.",
            "Nothing was imported: %(count)s problems.",
            count,
        ) % {"count": count}
        super().__init__(message, code="roster_rejected")
        self.problems = problems


@dataclass(frozen=True)
class Columns:
    """The columns an import reads: those it needs, those it may use, and other names people
    give them (Vietnamese headers), all compared without case, accents kept."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: dict = field(default_factory=dict)

    def name_of(self, header: str) -> str | None:
        key = _header_key(header)
        if key in self.required or key in self.optional:
            return key
        return self.aliases.get(key)

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Row:
    number: int
    values: dict  # column -> text (trimmed; "" for an empty cell)


@dataclass(frozen=True)
class Table:
    columns: frozenset  # the columns the file has
    rows: list


def read_limited(stream) -> bytes:
    """At most one byte more than a roster may hold: a larger file is refused by read_table()
    without being read whole."""
    return stream.read(MAX_BYTES + 1)


def read_table(data: bytes, filename: str, columns: Columns) -> Table:
    """The rows of a roster file; raises RosterRejected naming what is wrong with the file."""
    if len(data) > MAX_BYTES:
        _refuse(
            _("The file is larger than %(mb)s MB, the most a roster file may be.")
            % {"mb": MAX_BYTES // 2**20}
        )
    if not data.strip():
        _refuse(_("The file is empty."))
    kind = _kind(data, filename)
    lines = _xlsx_lines(data) if kind == "xlsx" else _csv_lines(data)
    return _table(lines, columns)


def _kind(data: bytes, filename: str) -> str:
    name = filename.lower()
    is_zip = data.startswith(b"PK\x03\x04")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls (OLE2)
        _refuse(_("This is an old Excel file (.xls); save it as .xlsx or as CSV UTF-8."))
    if name.endswith(".xlsx") or (is_zip and not name.endswith((".csv", ".txt"))):
        if not is_zip:
            _refuse(_("The file is named .xlsx but is not an Excel workbook."))
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        if is_zip or (b"\0" in data[:4096] and not data.startswith(_UTF16_BOMS)):
            _refuse(_("The file is named .csv but is not text; save it as CSV UTF-8."))
        return "csv"
    _refuse(_("Only CSV (.csv, UTF-8) and Excel (.xlsx) files can be imported."))


_UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _csv_lines(data: bytes):
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            _refuse(
                _("The file is %(encoding)s text, not UTF-8; save it as CSV UTF-8.")
                % {"encoding": encoding}
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _refuse(
            _(
                "The file is not UTF-8 text (byte %(byte)s is not valid): in Excel, save it "
                "as “CSV UTF-8”."
            )
            % {"byte": exc.start + 1}
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        _refuse(_("Row %(row)s is not valid CSV: %(detail)s") % {"row": number + 1, "detail": exc})


def _xlsx_lines(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(_("The file is not a valid Excel workbook (.xlsx)."))
    if unpacked > MAX_UNPACKED_BYTES:
        _refuse(
            _("The workbook unpacks to more than %(mb)s MB, far more than a roster needs.")
            % {"mb": MAX_UNPACKED_BYTES // 2**20}
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        _refuse(_("The file is not a valid Excel workbook (.xlsx)."))
        raise AssertionError from exc  # not reached
    try:
        if not book.worksheets:
            _refuse(_("The workbook has no sheet."))
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, cells in enumerate(rows, start=1):
            yield number, [_cell_text(value) for value in cells]
    except RosterRejected:
        raise
    except Exception:  # a damaged sheet inside a valid zip
        _refuse(_("The file is not a valid Excel workbook (.xlsx)."))
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 912345678.0: a number typed without its leading 0
    return str(value)


def _table(lines, columns: Columns) -> Table:
    header: dict[int, str] | None = None
    first = None  # the first row with anything in it
    rows: list[Row] = []
    for number, cells in lines:
        if number > 2 * MAX_ROWS:
            _too_many()
        if header is None:
            if any(cell.strip() for cell in cells):
                first = first or number
                header = _header(number, cells, columns, last_try=number >= HEADER_SEARCH_ROWS)
            continue
        values = {name: _value(cells, i) for i, name in header.items()}
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            _too_many()
        rows.append(Row(number, values))
    if first is None:
        _refuse(_("The file has no rows."))
    if header is None:
        _header(first, [], columns, last_try=True)
    return Table(frozenset(header.values()), rows)


def _header(number: int, cells: list, columns: Columns, *, last_try: bool) -> dict | None:
    """Column index -> column name when this row names the required columns; None when it does
    not and rows below may (the first rows may hold a title); refused past them."""
    found: dict[int, str] = {}
    problems = []
    for index, cell in enumerate(cells):
        name = columns.name_of(cell) if cell else None
        if name is None:
            continue
        if name in found.values():
            problems.append(
                RowProblem(number, _("The column “%(column)s” appears twice.") % {"column": name})
            )
        found[index] = name
    missing = [name for name in columns.required if name not in found.values()]
    if not missing and not problems:
        return found
    if problems:
        raise RosterRejected(problems)
    if not found and not last_try:
        return None
    message = _(
        "The file lacks the columns %(missing)s: its first row must name the columns %(columns)s."
    ) % {"missing": ", ".join(missing), "columns": ", ".join(columns.all)}
    raise RosterRejected([RowProblem(number, message)])


def _value(cells: list, index: int) -> str:
    if index >= len(cells):
        return ""
    return cells[index].strip()[:MAX_CELL_CHARS]


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().strip("*").strip()
    return " ".join(text.split()).casefold()


def _too_many() -> NoReturn:
    _refuse(
        _("The file has more than %(count)s rows; split it into several files.")
        % {"count": MAX_ROWS}
    )


def _refuse(message: str) -> NoReturn:
    raise RosterRejected([RowProblem(None, message)])
