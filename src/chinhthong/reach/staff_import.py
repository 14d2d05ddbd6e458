"""A staff roster imported from a file (reach/importers.py is the entry point the edges call).

A person is recognised by their email, else by their phone number. A person whose unit
changes is moved (the record's history keeps the move); people missing from the roster of a
unit the file covers are deactivated only when asked (``deactivate_missing``), never deleted.
Columns the file lacks (position, zalo_id, email or phone) leave those fields as they are.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chinhthong.reach import organisation
from chinhthong.reach.importers import (
    Change,
    ImportReport,
    UnitIndex,
    check_text,
    refuse_if_changed_meanwhile,
)
from chinhthong.reach.models import StaffMember
from chinhthong.reach.roster_files import Columns, RosterRejected, RowProblem, read_table
from chinhthong.verify.phones import readable

STAFF_COLUMNS = Columns(
    required=("name", "unit", "category"),
    optional=("position", "email", "phone", "zalo_id"),
    aliases={
        "họ và tên": "name",
        "họ tên": "name",
        "đơn vị": "unit",
        "chức vụ": "position",
        "loại": "category",
        "ngạch": "category",
        "đối tượng": "category",
        "thư điện tử": "email",
        "e-mail": "email",
        "điện thoại": "phone",
        "số điện thoại": "phone",
        "zalo": "zalo_id",
    },
)
FIELDS = ("name", "unit", "position", "category", "email", "phone", "zalo_id")


@dataclass
class _Person:
    row: int
    values: dict  # field -> stored value (unit: a Unit)
    staff: StaffMember | None = None


def import_staff(
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    actor=None,
    reason: str = "",
) -> ImportReport:
    table = read_table(data, filename, STAFF_COLUMNS)
    if not table.columns & {"email", "phone"}:
        message = _("The file needs an email or a phone column: people are recognised by them.")
        raise RosterRejected([RowProblem(None, message)])
    reason = reason or _("Imported from %(file)s") % {"file": filename[-70:]}
    try:
        with transaction.atomic():
            index = UnitIndex()
            people, problems = _check_rows(table, index)
            existing = list(StaffMember.objects.select_related("unit"))
            problems += _match(people, existing)
            if problems:
                raise RosterRejected(sorted(problems, key=lambda p: p.row or 0))
            report, plan = _changes(people, existing, deactivate_missing)
            if not dry_run:
                _apply(plan, actor, reason)
                report.applied = True
    except IntegrityError as exc:  # another import or edit stored the same person meanwhile
        refuse_if_changed_meanwhile(exc)
    return report


def _check_rows(table, index: UnitIndex) -> tuple[list[_Person], list[RowProblem]]:
    problems: list[RowProblem] = []
    people = []
    for line in table.rows:
        n, values = line.number, line.values
        stored = {}
        name = check_text(values["name"], _("name"), max_length=200, problems=problems, row=n)
        if not name:
            problems.append(RowProblem(n, _("The name is missing.")))
        stored["name"] = name
        stored["unit"] = _unit(values["unit"], index, problems, n)
        if values["category"]:
            category = values["category"]
            stored["category"] = _checked(organisation.staff_category, category, problems, n)
        else:
            problems.append(RowProblem(n, _("The category is missing (CB, CC, VC or NLĐ).")))
        if "position" in values:
            text = values["position"]
            stored["position"] = check_text(
                text, _("position"), max_length=200, problems=problems, row=n
            )
        if "zalo_id" in values:
            stored["zalo_id"] = _zalo_id(values["zalo_id"], problems, n)
        for column, canonical in (
            ("email", organisation.staff_email),
            ("phone", organisation.staff_phone),
        ):
            if column in values:
                text = values[column]
                stored[column] = _checked(canonical, text, problems, n) if text else ""
        if not values.get("email") and not values.get("phone"):
            message = _("Give an email or a phone number: the person is recognised by them.")
            problems.append(RowProblem(n, message))
        people.append(_Person(n, stored))
    return people, problems + _duplicates(people)


def _checked(canonical, text: str, problems: list, row: int) -> str:
    try:
        return canonical(text)
    except organisation.InvalidValue as exc:
        problems.append(RowProblem(row, exc.message))
        return ""


def _unit(text: str, index: UnitIndex, problems: list, row: int):
    if not text:
        problems.append(RowProblem(row, _("The unit is missing.")))
        return None
    found = index.find(text)
    if isinstance(found, list):
        message = _("Several units have the path “%(unit)s”; give the unit's code.")
        problems.append(RowProblem(row, message % {"unit": text}))
        return None
    if found is None:
        message = _(
            "There is no unit “%(unit)s”: give its code or its full path, such as "
            "“Tỉnh Quảng Ninh / Thành phố Cẩm Phả / Phường Cẩm Tây”."
        )
        problems.append(RowProblem(row, message % {"unit": text}))
        return None
    if not found.active:
        message = _("The unit “%(unit)s” is closed.") % {"unit": index.label(found)}
        problems.append(RowProblem(row, message))
    return found


def _zalo_id(text: str, problems: list, row: int) -> str:
    if len(text) > 64 or any(c.isspace() for c in text):
        problems.append(RowProblem(row, _("The Zalo id is not valid (no spaces, 64 characters).")))
        return ""
    check_text(text, _("Zalo id"), max_length=64, problems=problems, row=row)
    return text


def _duplicates(people: list[_Person]) -> list[RowProblem]:
    problems = []
    for column, label in (("email", _("email")), ("phone", _("phone number"))):
        rows: dict[str, list[int]] = {}
        for person in people:
            if person.values.get(column):
                rows.setdefault(person.values[column], []).append(person.row)
        for value, numbers in rows.items():
            if len(numbers) < 2:
                continue
            shown = readable(value) if column == "phone" else value
            for n in numbers:
                others = ", ".join(str(o) for o in numbers if o != n)
                message = _("The same person as row %(rows)s: the %(what)s %(value)s is on both.")
                problems.append(
                    RowProblem(n, message % {"rows": others, "what": label, "value": shown})
                )
    return problems


def _share_a_value(one: _Person, other: _Person) -> bool:
    return any(
        one.values.get(column) and one.values.get(column) == other.values.get(column)
        for column in ("email", "phone")
    )


def _match(people: list[_Person], existing: list[StaffMember]) -> list[RowProblem]:
    """Each row's person: the one with its email, else the one with its phone. A row whose
    phone (or email) belongs to someone else, and two rows for one person, are refused."""
    by_email = {s.email: s for s in existing if s.email}
    by_phone = {s.phone: s for s in existing if s.phone}
    problems, claimed = [], {}
    for person in people:
        email, phone = person.values.get("email"), person.values.get("phone")
        match = by_email.get(email) if email else None
        match = match or (by_phone.get(phone) if phone else None)
        person.staff = match
        owner = by_phone.get(phone) if phone else None
        if owner is not None and owner != match:
            message = _(
                "The phone number %(phone)s already belongs to another person, %(name)s (%(unit)s)."
            ) % {"phone": readable(phone), "name": owner.name, "unit": owner.unit.name}
            problems.append(RowProblem(person.row, message))
        if match is not None:
            first = claimed.setdefault(match.pk, person)
            # Two rows sharing an email or phone were told so already (_duplicates).
            if first is not person and not _share_a_value(first, person):
                message = _("The same person as row %(row)s (%(name)s).") % {
                    "row": first.row,
                    "name": match.name,
                }
                problems.append(RowProblem(person.row, message))
    return problems


@dataclass
class _Plan:
    add: list
    update: list  # (staff, fields)
    deactivate: list


def _changes(people, existing, deactivate_missing: bool):
    report, plan = ImportReport(), _Plan([], [], [])
    labels = {f: str(StaffMember._meta.get_field(f).verbose_name) for f in FIELDS}
    labels["active"] = _("active again")
    for person in people:
        values, staff = person.values, person.staff
        key = values.get("email") or readable(values.get("phone", ""))
        unit = values["unit"]
        if staff is None:
            new = StaffMember(**{f: values.get(f, "") for f in FIELDS if f != "unit"}, unit=unit)
            plan.add.append(new)
            report.changes.append(Change("add", person.row, key, new.name, (), "", unit.name))
            continue
        changed = [f for f in FIELDS if f in values and _differs(staff, f, values[f])]
        if not staff.active:
            changed.append("active")
        old_unit = staff.unit.name if "unit" in changed else ""
        for name in changed:
            if name == "active":
                staff.active, staff.left_at = True, None
            else:
                setattr(staff, name, values[name])
        if changed:
            plan.update.append((staff, changed))
        action = "update" if changed else "unchanged"
        fields = tuple(labels[f] for f in changed)
        new_unit = unit.name if old_unit else ""
        change = Change(action, person.row, key, staff.name, fields, old_unit, new_unit)
        report.changes.append(change)
    if deactivate_missing:
        covered = {p.values["unit"].pk for p in people}
        present = {p.staff.pk for p in people if p.staff is not None}
        for staff in existing:
            if staff.active and staff.unit_id in covered and staff.pk not in present:
                plan.deactivate.append(staff)
                key = staff.email or readable(staff.phone)
                report.changes.append(Change("deactivate", None, key, staff.name))
    return report, plan


def _differs(staff: StaffMember, name: str, value) -> bool:
    if name == "unit":
        return staff.unit_id != value.pk
    return getattr(staff, name) != value


def _apply(plan: _Plan, actor, reason: str) -> None:
    common = {"default_user": actor, "default_change_reason": reason[:100]}
    if plan.add:
        organisation.link_accounts(plan.add)  # their accounts first: saved with the link
        bulk_create_with_history(plan.add, StaffMember, batch_size=500, **common)
    if plan.update:
        fields = sorted({f for _staff, changed in plan.update for f in changed} | {"left_at"})
        staff = [s for s, _changed in plan.update]
        bulk_update_with_history(staff, StaffMember, fields, batch_size=500, **common)
        _follow_accounts(plan.update)
    if plan.deactivate:
        now = timezone.now()
        for staff in plan.deactivate:
            staff.active, staff.left_at = False, now
        fields = ["active", "left_at"]
        bulk_update_with_history(plan.deactivate, StaffMember, fields, batch_size=500, **common)
        organisation._deactivate_accounts([s.user_id for s in plan.deactivate])


def _follow_accounts(updated) -> None:
    """Accounts follow their people: back in use when the person is, renamed when the email
    changes (unless another account has the new name); new accounts for new emails."""
    User = get_user_model()
    again = [s.user_id for s, changed in updated if "active" in changed and s.user_id]
    for ids in organisation.chunks(again):
        User.objects.filter(pk__in=ids).update(is_active=True)
    for staff, changed in updated:
        renamed = "email" in changed and staff.user_id and staff.email
        if renamed and not User.objects.filter(username=staff.email).exists():
            User.objects.filter(pk=staff.user_id).update(username=staff.email, email=staff.email)
    organisation.link_accounts([s for s, _changed in updated])
