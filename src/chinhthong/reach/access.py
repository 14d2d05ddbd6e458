"""Who may see which units and staff (DESIGN.md, "Access").

A unit manager sees the subtrees of the units they manage (``Unit.managers``), an administrator
every unit, anyone else none. Objects are looked up in a queryset already narrowed to what the
user may see, so a unit or a person they may not see and one that does not exist answer alike
(``NotFound``, a 404 at every edge). Views, exports, the API and services all go through here.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chinhthong.accounts import roles
from chinhthong.config.refusals import NotFound
from chinhthong.config.validators import ONE_LINE_INVISIBLE
from chinhthong.reach.models import StaffMember, Unit

MAX_CODE_CHARS = Unit._meta.get_field("code").max_length


def is_administrator(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=roles.ADMINISTRATOR).exists()


def managed_units(user) -> QuerySet[Unit]:
    """The units the user manages directly (not their subtrees)."""
    if not (user and user.is_authenticated and user.is_active):
        return Unit.objects.none()
    return Unit.objects.filter(managers=user)


def units_for(user) -> QuerySet[Unit]:
    """Every unit the user may see: the subtrees of the units they manage; all for an
    administrator; none for anyone else."""
    if is_administrator(user):
        return Unit.objects.all()
    paths = list(managed_units(user).values_list("path", flat=True))
    if not paths:
        return Unit.objects.none()
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return Unit.objects.filter(query)


def top_units_for(user) -> list[Unit]:
    """The highest units the user may see (each subtree once): the roots for an administrator,
    else the managed units that lie under no other managed unit."""
    if is_administrator(user):
        return list(Unit.objects.filter(parent=None))
    units = sorted(managed_units(user), key=lambda unit: unit.path)
    tops: list[Unit] = []
    for unit in units:
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def may_see_dashboards(user) -> bool:
    return is_administrator(user) or managed_units(user).exists()


def unit_for(user, code: str) -> Unit:
    """The unit ``code`` if the user may see it; NotFound otherwise (or if there is none)."""
    # A text no code can be is a unit no one has (and a NUL never reaches the database).
    if len(code) > MAX_CODE_CHARS or ONE_LINE_INVISIBLE.search(code):
        raise NotFound(_("There is no such unit."), code="no_unit")
    try:
        return units_for(user).get(code=code)
    except Unit.DoesNotExist as exc:
        raise NotFound(_("There is no such unit."), code="no_unit") from exc


def staff_visible_to(user) -> QuerySet[StaffMember]:
    """Every staff member (active or not) now in a unit the user may see."""
    if is_administrator(user):
        return StaffMember.objects.all()
    return StaffMember.objects.filter(unit__in=units_for(user))


def staff_for(user, staff_id) -> StaffMember:
    """The staff member ``staff_id`` if they are now in a unit the user may see."""
    try:
        pk = int(staff_id)
        if not 0 < pk < 2**63:  # beyond what a database column holds
            raise ValueError(pk)
        return staff_visible_to(user).get(pk=pk)
    except (StaffMember.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(_("There is no such staff member."), code="no_staff") from exc
