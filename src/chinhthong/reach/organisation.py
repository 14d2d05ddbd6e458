"""Units and staff: the writes every edge (back office, CLI import, tests) goes through, and the
subtree reads dashboards and audiences share.

A staff member's email and phone are canonicalised here, once, for every edge: the email in
lower case (it is also the username of their account), the phone in E.164 (+84912345678),
shown to people with verify.phones.readable (0912 345 678).
"""

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.config.refusals import Refused
from chinhthong.config.validators import field_problems
from chinhthong.reach.models import Category, StaffMember, Unit
from chinhthong.verify import canonical


def _path_for(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent_id else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def create_unit(
    *, code: str, name: str, parent: Unit | None = None, actor=None, reason: str = ""
) -> Unit:
    unit = Unit(code=code, name=name, parent=parent)
    unit.full_clean(exclude=["path"])
    _attribute(unit, actor, reason)
    unit.save()
    unit.path = _path_for(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def move_unit(unit: Unit, new_parent: Unit | None, *, actor=None, reason: str = "") -> Unit:
    """Put ``unit`` (with its subtree) under ``new_parent``; every path below is rewritten."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValueError("a unit cannot be moved under itself")
    old = unit.path
    unit.parent = new_parent
    unit.path = _path_for(unit)
    _attribute(unit, actor, reason)
    unit.save(update_fields=["parent", "path"])
    for child in Unit.objects.filter(path__startswith=old).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old) :]
        _attribute(child, actor, reason)
        child.save(update_fields=["path"])
    return unit


@transaction.atomic
def update_unit(
    unit: Unit, *, code: str, name: str, parent: Unit | None, active: bool, actor=None, reason=""
) -> Unit:
    """Change a unit's code, name and active flag, and move it when its parent changes."""
    current = Unit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None and parent.path.startswith(current.path):
        raise Refused(_("A unit cannot be put under itself or a unit below it."), code="cycle")
    current.code, current.name, current.active = code, name, active
    try:
        current.full_clean(exclude=["path", "parent"])
    except ValidationError as exc:
        raise Refused(field_problems(exc, Unit), code="invalid") from exc
    _attribute(current, actor, reason)
    current.save(update_fields=["code", "name", "active"])
    if current.parent_id != (parent.pk if parent else None):
        move_unit(current, Unit.objects.get(pk=parent.pk) if parent else None, actor=actor)
    unit.refresh_from_db()
    return unit


def subtree(unit: Unit) -> QuerySet[Unit]:
    """``unit`` and every unit below it, at any depth."""
    return Unit.objects.filter(path__startswith=unit.path)


def subtrees(units) -> QuerySet[Unit]:
    """Every unit in the subtree of any of ``units``."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(path__startswith=unit.path)
    return Unit.objects.filter(query)


def staff_in(units) -> QuerySet[StaffMember]:
    """Active staff of the subtrees of ``units``."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(unit__path__startswith=unit.path)
    return StaffMember.objects.filter(query, active=True)


def unit_path_names(unit: Unit) -> list[str]:
    """The names from the root down to ``unit``: "Tỉnh Quảng Ninh / … / Phường Cẩm Tây"."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids if pk in names]


# --- managers ---------------------------------------------------------------------------------
@transaction.atomic
def add_manager(unit: Unit, user, *, actor=None) -> Unit:
    """Make ``user`` a manager of ``unit``; they get the unit manager's role."""
    unit.managers.add(user)
    accounts.assign_role(user, roles.UNIT_MANAGER)
    return unit


@transaction.atomic
def set_managers(unit: Unit, users, *, actor=None) -> Unit:
    """The managers of ``unit`` are exactly ``users``: those added get the unit manager's role,
    and those removed who manage no other unit lose it."""
    wanted = {user.pk: user for user in users}
    before = set(unit.managers.values_list("pk", flat=True))
    unit.managers.set(wanted.values())
    for pk in wanted.keys() - before:
        accounts.assign_role(wanted[pk], roles.UNIT_MANAGER)
    for user in get_user_model().objects.filter(pk__in=before - wanted.keys()):
        if not user.managed_units.exists():
            user.groups.remove(accounts.role_group(roles.UNIT_MANAGER))
            accounts.update_back_office_access(user)
    return unit


# --- a staff member's identifiers, canonicalised once -------------------------------------------
class InvalidValue(ValueError):
    """A value a staff member's record may not hold; ``message`` says why, in words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def staff_email(value: str) -> str:
    """The email as stored and compared: trimmed and in lower case; raises InvalidValue."""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        message = _("“%(value)s” is not a valid email address.") % {"value": value.strip()}
        raise InvalidValue(message) from exc
    return email


# Nine digits where a mobile number's leading 0 was lost (a spreadsheet read it as a number),
# or ten beginning with 2 for a landline.
_LOST_ZERO = re.compile(r"^(?:[35789]\d{8}|2\d{9})$")


def staff_phone(value: str) -> str:
    """A Vietnamese mobile or landline number in E.164 (+84912345678): "0912 345 678",
    "0912.345.678", "+84 912 345 678" and "84912345678" are one number. A spreadsheet that
    stored the number as a number lost its leading 0: "912345678" is read as 0912 345 678.
    Service numbers (113, 1900 …) and foreign numbers are refused; raises InvalidValue."""
    text = value.strip()
    if _LOST_ZERO.match(text):
        text = "0" + text
    try:
        number = canonical.phone(text)
    except canonical.InvalidIdentifier:
        number = ""
    national = "0" + number[3:]
    personal = number.startswith("+84") and (
        (len(national) == 10 and national[1] in "35789")
        or (len(national) == 11 and national[1] == "2")
    )
    if not personal:
        message = _(
            "“%(value)s” is not a Vietnamese mobile or landline number (such as 0912 345 678)."
        ) % {"value": value.strip()}
        raise InvalidValue(message)
    return number


_CATEGORY_WORDS = {
    "cb": Category.CB,
    "cán bộ": Category.CB,
    "cc": Category.CC,
    "công chức": Category.CC,
    "vc": Category.VC,
    "viên chức": Category.VC,
    "nlđ": Category.NLD,
    "nld": Category.NLD,
    "người lao động": Category.NLD,
    "lao động": Category.NLD,
}


def staff_category(value: str) -> str:
    """CB, CC, VC or NLĐ, also written in lower case, "NLD" without its Đ, or in words ("công
    chức"); raises InvalidValue."""
    key = " ".join(unicodedata.normalize("NFC", value).split()).casefold()
    found = _CATEGORY_WORDS.get(key)
    if found is None:
        message = _("“%(value)s” is not a category: write CB, CC, VC or NLĐ.") % {
            "value": value.strip()
        }
        raise InvalidValue(message)
    return found.value


def clean_text(value: str) -> str:
    """Names and positions as stored: NFC (text typed on some systems arrives decomposed),
    spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# --- staff members ----------------------------------------------------------------------------
CHUNK = 1000  # rows per query where a roster's thousands of people are looked up at once


def _attribute(obj, actor, reason: str) -> None:
    """The author and reason the record's history keeps for this save."""
    if actor is not None:
        obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]


@transaction.atomic
def save_staff(staff: StaffMember, *, actor=None, reason: str = "") -> StaffMember:
    """Add or change one staff member (the back office's form); an email gives them an
    account. Values are checked as an import checks them."""
    if staff.phone:
        staff.phone = staff_phone(staff.phone)
    if staff.email:
        staff.email = staff_email(staff.email)
    try:
        staff.full_clean(exclude=["user", "share_code"])
    except ValidationError as exc:
        raise Refused(field_problems(exc, StaffMember), code="invalid") from exc
    _attribute(staff, actor, reason)
    staff.save()
    link_accounts([staff])
    return staff


def link_accounts(staff_members) -> int:
    """Give each active staff member with an email an account: username = the email, no
    usable password (they log in by a link sent to that address, or set one), the staff role.
    An existing account of that name not linked to anyone else is linked. Returns how many
    accounts were made."""
    wanted = [s for s in staff_members if s.email and s.user_id is None and s.active]
    return sum(_link_accounts(chunk) for chunk in chunks(wanted))


def chunks(items, size: int = CHUNK):
    """``items`` in lists of ``size``: a query's parameters stay under SQLite's limit."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link_accounts(staff_members) -> int:
    User = get_user_model()
    wanted = {s.email: s for s in staff_members}
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    taken = set(
        StaffMember.objects.filter(user__in=existing.values()).values_list("user_id", flat=True)
    )
    new = [User(username=email, email=email) for email in wanted if email not in existing]
    for user in new:
        user.set_unusable_password()
    created = User.objects.bulk_create(new)
    if created and created[0].pk is None:  # a database that returns no ids
        created = list(User.objects.filter(username__in=[u.username for u in new]))
    group = accounts.role_group(roles.STAFF)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=group.pk) for u in created], ignore_conflicts=True
    )
    for user in existing.values():
        if user.pk not in taken:
            accounts.assign_role(user, roles.STAFF)
    users = {u.username: u for u in [*created, *existing.values()] if u.pk not in taken}
    linked = [s for email, s in wanted.items() if email in users]
    for staff in linked:
        staff.user = users[staff.email]
    # Saved people get the link without a new version (it is not a change to the roster);
    # people about to be added (an import's) are saved with it.
    StaffMember.objects.bulk_update([s for s in linked if s.pk is not None], ["user"])
    return len(created)


@transaction.atomic
def deactivate_staff(
    staff: StaffMember, *, actor=None, reason: str = "", at: dt.datetime | None = None
) -> StaffMember:
    """The person left: kept (their events stay counted for when they were there), marked
    inactive from ``at``, and their account can no longer log in."""
    if not staff.active:
        return staff
    staff.active = False
    staff.left_at = at or timezone.now()
    _attribute(staff, actor, reason)
    staff.save(update_fields=["active", "left_at"])
    _deactivate_accounts([staff.user_id])
    return staff


@transaction.atomic
def reactivate_staff(staff: StaffMember, *, actor=None, reason: str = "") -> StaffMember:
    if staff.active:
        return staff
    staff.active, staff.left_at = True, None
    _attribute(staff, actor, reason)
    staff.save(update_fields=["active", "left_at"])
    if staff.user_id:
        get_user_model().objects.filter(pk=staff.user_id).update(is_active=True)
    link_accounts([staff])
    return staff


def _deactivate_accounts(user_ids) -> None:
    """Accounts of people who left stop logging in — those a roster gave (login_links.
    LINK_ROLES) only: an account with back-office work or another role is closed in the back
    office's user pages, never by a spreadsheet (which could lock out its own importer)."""
    from chinhthong.accounts.login_links import LINK_ROLES

    User = get_user_model()
    others = User.groups.through.objects.exclude(group__name__in=LINK_ROLES)
    for ids in chunks(pk for pk in user_ids if pk):
        (
            User.objects.filter(pk__in=ids, is_superuser=False, is_staff=False)
            .exclude(pk__in=others.values("user_id"))
            .update(is_active=False)
        )


def staff_by_email(email: str) -> StaffMember:
    try:
        key = staff_email(email)
    except InvalidValue as exc:
        raise Refused(exc.message, code="invalid_email") from exc
    found = StaffMember.objects.filter(email=key).select_related("unit").first()
    if found is None:
        raise Refused(
            _("No staff member has the email %(email)s.") % {"email": key},
            code="not_found",
            status=404,
        )
    return found


@dataclass(frozen=True)
class Move:
    at: dt.datetime
    old_unit: str
    new_unit: str
    by: str
    reason: str


def unit_moves(staff: StaffMember) -> list[Move]:
    """The staff member's moves between units, oldest first, from the record's history."""
    versions = list(staff.history.order_by("history_date", "history_id"))
    names = dict(
        Unit.objects.filter(pk__in={v.unit_id for v in versions}).values_list("pk", "name")
    )
    moves = []
    for before, after in itertools.pairwise(versions):
        if before.unit_id != after.unit_id:
            user = after.history_user
            moves.append(
                Move(
                    at=after.history_date,
                    old_unit=names.get(before.unit_id, "?"),
                    new_unit=names.get(after.unit_id, "?"),
                    by=user.get_username() if user else "",
                    reason=after.history_change_reason or "",
                )
            )
    return moves
