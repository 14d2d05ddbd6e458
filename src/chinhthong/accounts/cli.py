"""`chinhthong accounts …`: users and roles from the command line."""

from typing import NoReturn

import typer
from django.utils.translation import gettext as _

from chinhthong.accounts import roles
from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(help="Tài khoản và vai trò (accounts and roles).", no_args_is_help=True)
out = terminal.console()


@app.command("sync-roles")
def sync_roles() -> None:
    """Create the role groups and reset their permissions to the defaults."""
    from chinhthong.accounts import services

    for group in services.sync_roles():
        out.print(
            _("%(role)s: %(count)s permissions")
            % {"role": one_line(group.name), "count": group.permissions.count()},
            markup=False,
        )


@app.command("create-user")
def create_user(
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(roles.PERMISSIONS)}."),
    email: str = typer.Option(""),
    password: str | None = typer.Option(
        None, help="Asked for (twice, hidden) when not given.", show_default=False
    ),
) -> None:
    """Create a user with one role."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from chinhthong.accounts import services

    # Everything that can be refused without the password is, before it is asked for.
    username = _valid_new_username(username)
    if role not in roles.PERMISSIONS:
        _refuse(_("There is no role “%(role)s”.") % {"role": one_line(role)})
    if password is None:
        password = _ask_password()
    try:
        validate_password(password)
    except ValidationError as exc:
        _refuse(_("The password is too weak:") + " " + " ".join(exc.messages))
    try:
        services.create_user(username, password, role=role, email=email)
    except IntegrityError:  # created by someone else since the check above
        _refuse(_taken(username))
    out.print(
        _("Created %(user)s (%(role)s).") % {"user": one_line(username), "role": role},
        markup=False,
    )


def _valid_new_username(username: str) -> str:
    """The username as it will be stored; refused when it is not valid or already taken."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    User = get_user_model()
    name = User.normalize_username(username)
    try:
        User._meta.get_field(User.USERNAME_FIELD).clean(name, None)
    except ValidationError as exc:
        _refuse(
            _("“%(user)s” cannot be a username: %(reasons)s")
            % {"user": one_line(username), "reasons": " ".join(exc.messages)}
        )
    if User._default_manager.filter(**{User.USERNAME_FIELD: name}).exists():
        _refuse(_taken(name))
    return name


def _taken(username: str) -> str:
    return _("There is already a user named “%(user)s”.") % {"user": one_line(username)}


def _ask_password() -> str:
    first = typer.prompt(_("Password"), hide_input=True)
    if first != typer.prompt(_("Repeat the password"), hide_input=True):
        _refuse(_("The two passwords differ; nothing was created."))
    return first


def _refuse(message: str) -> NoReturn:
    out.print(message, markup=False)
    raise typer.Exit(2)
