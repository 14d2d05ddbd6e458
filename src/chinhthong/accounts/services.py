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


def role_group(role: str) -> Group:
    """The group of ``role``; made with the table's permissions if it is missing. An existing
    group is left as it is: only ``sync_roles`` resets permissions."""
    if role not in roles.PERMISSIONS:
        raise UnknownRole(role)
    group, created = Group.objects.get_or_create(name=role)
    if created:
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app, codename=code)
            for app, code in roles.PERMISSIONS[role]
        )
    return group


def assign_role(user, role: str) -> None:
    with transaction.atomic():
        user.groups.add(role_group(role))
        update_back_office_access(user)


def update_back_office_access(user) -> None:
    """Back-office access (``is_staff``) follows the roles: a role that works there grants it,
    and losing every such role takes it away."""
    wanted = user.is_superuser or user.groups.filter(name__in=roles.BACK_OFFICE).exists()
    if user.is_staff != wanted:
        user.is_staff = wanted
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
