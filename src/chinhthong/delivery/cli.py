"""`chinhthong delivery …`."""

import typer

app = typer.Typer(
    help="Delivery of bulletins to staff (email, web push, Zalo, portal).", no_args_is_help=True
)
