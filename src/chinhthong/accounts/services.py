"""Accounts: role groups, role assignment and the first administrator."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from chinhthong.accounts import roles


class UnknownRole(ValueError):
    pass


def sync_roles() -> list[Group]:
    """Create the role groups and set exactly the permissions roles.PERMISSIONS lists."""
    groups = []
    with transaction.atomic():
        for name, wanted in roles.PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=name)
            perms = [
                Permission.objects.get(content_type__app_label=app, codename=code)
                for app, code in wanted
            ]
            group.permissions.set(perms)
            groups.append(group)
    return groups


def assign_role(user, role: str) -> None:
    if role not in roles.PERMISSIONS:
        raise UnknownRole(role)
    sync_roles()
    user.groups.add(Group.objects.get(name=role))
    if role in roles.BACK_OFFICE and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def create_user(username: str, password: str, *, role: str, email: str = "", **fields):
    user = get_user_model().objects.create_user(
        username=username, password=password, email=email, **fields
    )
    assign_role(user, role)
    return user


@dataclass(frozen=True)
class AdminCreated:
    username: str
    password: str | None  # the generated password, shown once; None when it was given


def ensure_administrator(username: str = "admin", password: str = "") -> AdminCreated | None:
    """Create the first administrator unless one exists; the password is generated when not
    given, and returned so the caller can show it once."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return None
    generated = not password
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, password=password, email="")
    assign_role(user, roles.ADMINISTRATOR)
    return AdminCreated(username, password if generated else None)
