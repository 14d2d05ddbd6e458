"""Imports of the organisation from files: units (code, name, parent_code) and staff rosters
(name, unit, position, category, email, phone, zalo_id).

Every row is checked before anything is stored: a file with bad rows is refused whole, with
every bad row's number and problem (RosterRejected), and nothing changes. A clean file is
applied in one transaction and importing it again changes nothing. The same functions serve
the command line (`chinhthong units|staff import`) and the back office's import pages, which
call them first with ``dry_run=True`` for the preview.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused
from chinhthong.config.validators import forbidden_character
from chinhthong.reach import organisation
from chinhthong.reach.models import Unit
from chinhthong.reach.roster_files import Columns, RosterRejected, RowProblem, read_table

UNIT_COLUMNS = Columns(
    required=("code", "name", "parent_code"),
    aliases={
        "mã": "code",
        "mã đơn vị": "code",
        "tên": "name",
        "tên đơn vị": "name",
        "mã đơn vị cấp trên": "parent_code",
        "mã cấp trên": "parent_code",
    },
)


@dataclass(frozen=True)
class Change:
    action: str  # "add", "update", "unchanged" or "deactivate"
    row: int | None  # the row of the file (None: a person the file left out)
    key: str  # a unit's code, a person's email or phone
    label: str  # a unit's or person's name
    fields: tuple[str, ...] = ()  # what changes, in words
    old_unit: str = ""
    new_unit: str = ""

    @property
    def moved(self) -> bool:
        return self.old_unit != self.new_unit and bool(self.old_unit)


@dataclass
class ImportReport:
    changes: list[Change] = field(default_factory=list)
    applied: bool = False

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def moves(self) -> list[Change]:
        return [c for c in self.changes if c.moved]

    def counts(self) -> dict[str, int]:
        counts = {"add": 0, "update": 0, "unchanged": 0, "deactivate": 0}
        for change in self.changes:
            counts[change.action] += 1
        counts["moved"] = len(self.moves)
        return counts


def check_text(value: str, label: str, *, max_length: int, problems: list, row: int) -> str:
    """A name or code as stored (NFC, spaces collapsed); a problem when it is too long or holds
    an invisible character."""
    text = organisation.clean_text(value)
    found = forbidden_character(text)
    if found is not None:
        message = _("The %(field)s holds the invisible character %(character)s.") % {
            "field": label,
            "character": found[1],
        }
        problems.append(RowProblem(row, message))
    elif len(text) > max_length:
        message = _("The %(field)s is longer than %(max)s characters.") % {
            "field": label,
            "max": max_length,
        }
        problems.append(RowProblem(row, message))
    return text


def name_key(name: str) -> str:
    """A unit's name as paths compare it: NFC, spaces collapsed, case ignored."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


_PATH_SEPARATOR = re.compile(r"\s*/\s*")


class UnitIndex:
    """Every unit by code and by the path of names from the root, to find the unit a roster's
    row names: "CP-CT" or "Tỉnh Quảng Ninh / Thành phố Cẩm Phả / Phường Cẩm Tây"."""

    def __init__(self):
        units = list(Unit.objects.only("pk", "code", "name", "parent_id", "active", "path"))
        self.by_pk = {u.pk: u for u in units}
        self.by_code = {u.code: u for u in units}
        folded: dict[str, list] = {}
        for unit in units:
            folded.setdefault(unit.code.casefold(), []).append(unit)
        self.by_folded_code = {k: v[0] for k, v in folded.items() if len(v) == 1}
        self.by_path: dict[tuple, list] = {}
        for unit in units:
            self.by_path.setdefault(self.names(unit, key=True), []).append(unit)

    def names(self, unit: Unit, *, key: bool = False) -> tuple:
        ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        names = [self.by_pk[pk].name for pk in ids if pk in self.by_pk]
        return tuple(name_key(n) for n in names) if key else tuple(names)

    def label(self, unit: Unit) -> str:
        return " / ".join(self.names(unit))

    def find(self, text: str) -> Unit | list | None:
        """The unit ``text`` names; a list when a path names several (same names)."""
        text = text.strip()
        found = self.by_code.get(text) or self.by_folded_code.get(text.casefold())
        if found is not None:
            return found
        path = tuple(name_key(part) for part in _PATH_SEPARATOR.split(text.strip(" /")))
        matches = self.by_path.get(path, [])
        if len(matches) == 1:
            return matches[0]
        return matches or None


# --- units ------------------------------------------------------------------------------------
@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    parent_code: str


def import_units(
    data: bytes, filename: str, *, dry_run: bool = False, actor=None, reason: str = ""
) -> ImportReport:
    """Import units (code, name, parent_code): new ones added, changed names and parents
    applied (a unit moves with its subtree). Parents may come after their children in the
    file; unknown parents and cycles are refused."""
    table = read_table(data, filename, UNIT_COLUMNS)
    try:
        with transaction.atomic():
            rows, order = _plan_units(table.rows)
            report = _unit_changes(rows, order)
            if not dry_run:
                _apply_units(rows, order, actor, reason or _imported(filename))
                report.applied = True
    except IntegrityError as exc:  # another import or edit stored the same code meanwhile
        refuse_if_changed_meanwhile(exc)
    return report


def _plan_units(table_rows) -> tuple[dict, list]:
    problems: list[RowProblem] = []
    rows: dict[str, _UnitRow] = {}
    seen: dict[str, list[int]] = {}
    for line in table_rows:
        values, n = line.values, line.number
        code = check_text(values["code"], _("code"), max_length=64, problems=problems, row=n)
        name = check_text(values["name"], _("name"), max_length=300, problems=problems, row=n)
        parent = organisation.clean_text(values["parent_code"])
        if not code:
            problems.append(RowProblem(n, _("The code is missing.")))
            continue
        if not name:
            problems.append(RowProblem(n, _("The unit's name is missing.")))
        if parent == code:
            problems.append(RowProblem(n, _("A unit cannot be its own parent.")))
        seen.setdefault(code, []).append(n)
        rows.setdefault(code, _UnitRow(n, code, name, parent))
    for code, numbers in seen.items():
        for n in numbers if len(numbers) > 1 else ():
            others = ", ".join(str(o) for o in numbers if o != n)
            problems.append(
                RowProblem(
                    n,
                    _("The code %(code)s is also on row %(rows)s.")
                    % {
                        "code": code,
                        "rows": others,
                    },
                )
            )
    stored = {u.code: u for u in Unit.objects.select_related("parent")}
    parents = {code: (u.parent.code if u.parent else "") for code, u in stored.items()}
    parents.update({code: row.parent_code for code, row in rows.items()})
    for row in rows.values():
        if row.parent_code and row.parent_code not in parents:
            message = _(
                "There is no unit with the code %(code)s, in the file or already stored."
            ) % {"code": row.parent_code}
            problems.append(RowProblem(row.row, message))
    problems += _cycles(rows, parents)
    if problems:
        raise RosterRejected(sorted(problems, key=lambda p: p.row or 0))
    depth = {code: _depth(code, parents) for code in rows}
    return rows, sorted(rows, key=lambda code: (depth[code], rows[code].row))


def _cycles(rows: dict, parents: dict) -> list[RowProblem]:
    problems, reported = [], set()
    for start in rows:
        chain, code = [], start
        while code and code not in chain and code in parents:
            chain.append(code)
            code = parents[code]
        if code in chain and start not in reported:
            cycle = chain[chain.index(code) :]
            reported.update(cycle)
            shown = " → ".join([*cycle, cycle[0]])
            for member in cycle:
                if member in rows:
                    message = _("The units' parents form a cycle: %(cycle)s.") % {"cycle": shown}
                    problems.append(RowProblem(rows[member].row, message))
    return problems


def _depth(code: str, parents: dict) -> int:
    depth = 0
    while parents.get(code):
        code, depth = parents[code], depth + 1
    return depth


def _unit_changes(rows: dict, order: list) -> ImportReport:
    stored = {u.code: u for u in Unit.objects.select_related("parent").filter(code__in=rows)}
    report = ImportReport()
    for code in order:
        row, unit = rows[code], stored.get(code)
        if unit is None:
            report.changes.append(Change("add", row.row, code, row.name))
            continue
        fields = []
        if unit.name != row.name:
            fields.append(_("name"))
        old_parent = unit.parent.code if unit.parent else ""
        if old_parent != row.parent_code:
            fields.append(_("parent unit"))
        action = "update" if fields else "unchanged"
        moved = (old_parent or "—", row.parent_code or "—") if old_parent != row.parent_code else ()
        report.changes.append(Change(action, row.row, code, row.name, tuple(fields), *moved))
    return report


def _apply_units(rows: dict, order: list, actor, reason: str) -> None:
    for code in order:
        row = rows[code]
        parent = Unit.objects.get(code=row.parent_code) if row.parent_code else None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            organisation.create_unit(
                code=code, name=row.name, parent=parent, actor=actor, reason=reason
            )
            continue
        if unit.name != row.name:
            unit.name = row.name
            unit._change_reason = reason[:100]
            unit._history_user = actor
            unit.save(update_fields=["name"])
        if unit.parent_id != (parent.pk if parent else None):
            organisation.move_unit(unit, parent, actor=actor, reason=reason)


def _imported(filename: str) -> str:
    return _("Imported from %(file)s") % {"file": filename[-70:]}


def refuse_if_changed_meanwhile(exc: IntegrityError):
    raise Refused(
        _("The roster changed while the file was being imported; import it again."),
        code="conflict",
        status=409,
    ) from exc
