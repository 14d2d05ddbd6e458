"""`chinhthong accounts …`: users and roles from the command line."""

import typer
from django.utils.translation import gettext as _
from rich.console import Console

from chinhthong.accounts import roles

app = typer.Typer(help="Tài khoản và vai trò (accounts and roles).", no_args_is_help=True)
out = Console()


@app.command("sync-roles")
def sync_roles() -> None:
    """Create the role groups and reset their permissions to the defaults."""
    from chinhthong.accounts import services

    for group in services.sync_roles():
        out.print(
            _("%(role)s: %(count)s permissions")
            % {"role": group.name, "count": group.permissions.count()}
        )


@app.command("create-user")
def create_user(
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(roles.PERMISSIONS)}."),
    email: str = typer.Option(""),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user with one role."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from chinhthong.accounts import services

    if role not in roles.PERMISSIONS:
        out.print(_("There is no role “%(role)s”.") % {"role": role})
        raise typer.Exit(2)
    try:
        validate_password(password)
    except ValidationError as exc:
        out.print(_("The password is too weak:") + " " + " ".join(exc.messages))
        raise typer.Exit(2) from exc
    services.create_user(username, password, role=role, email=email)
    out.print(_("Created %(user)s (%(role)s).") % {"user": username, "role": role})
