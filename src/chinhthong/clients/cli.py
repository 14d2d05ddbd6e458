"""`chinhthong apikey …`: keys for programs that call the API under their own rate limit."""

import typer
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

out = terminal.console(highlight=False, soft_wrap=True)
err = terminal.console(stderr=True, highlight=False, soft_wrap=True)
apikey_app = typer.Typer(help="Khóa API cho chương trình (API keys).", no_args_is_help=True)


@apikey_app.command("create")
def apikey_create(
    name: str = typer.Argument(..., help="A short name, e.g. mail-gateway."),
    rate: str = typer.Option("6000/m", help="This key's rate limit, e.g. 6000/m or 200/s."),
    description: str = typer.Option("", help="Who uses it and for what."),
) -> None:
    """Make a key for a program; it is printed once and only its digest is kept."""
    from chinhthong.clients import api_keys

    try:
        client, key = api_keys.create(name, rate, description)
    except api_keys.ApiKeyRefused as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    err.print(
        _("API key for %(name)s (limit %(rate)s). It is shown only now; send it as X-API-Key:")
        % {"name": one_line(client.name), "rate": one_line(client.rate)},
        markup=False,
    )
    terminal.write(key + "\n")


@apikey_app.command("list")
def apikey_list() -> None:
    """The API clients, their key prefixes, limits and state."""
    from chinhthong.clients.models import ApiClient

    for client in ApiClient.objects.all():
        state = _("active") if client.active else _("revoked")
        fields = (client.name, f"{client.key_prefix}…", client.rate, state, client.description)
        out.print("\t".join(one_line(field) for field in fields), markup=False)


@apikey_app.command("revoke")
def apikey_revoke(name: str = typer.Argument(..., help="The client's name.")) -> None:
    """Revoke a client's key (every node stops accepting it within 30 seconds)."""
    from chinhthong.clients import api_keys

    try:
        api_keys.revoke(name)
    except api_keys.ApiKeyRefused as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    out.print(_("Revoked: %(name)s") % {"name": one_line(name)}, markup=False)
