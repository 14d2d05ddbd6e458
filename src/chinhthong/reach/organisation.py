"""Units and staff: the writes every edge (back office, CLI import, tests) goes through, and the
subtree reads dashboards and audiences share."""

from django.db import transaction
from django.db.models import Q, QuerySet

from chinhthong.reach.models import StaffMember, Unit


def _path_for(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent_id else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def create_unit(*, code: str, name: str, parent: Unit | None = None, actor=None) -> Unit:
    unit = Unit(code=code, name=name, parent=parent)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = _path_for(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def move_unit(unit: Unit, new_parent: Unit | None, *, actor=None) -> Unit:
    """Put ``unit`` (with its subtree) under ``new_parent``; every path below is rewritten."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValueError("a unit cannot be moved under itself")
    old = unit.path
    unit.parent = new_parent
    unit.path = _path_for(unit)
    unit.save(update_fields=["parent", "path"])
    for child in Unit.objects.filter(path__startswith=old).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old) :]
        child.save(update_fields=["path"])
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
