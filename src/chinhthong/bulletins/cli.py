"""`chinhthong bulletins …`."""

import typer

app = typer.Typer(help="Bulletins: write, publish, correct.", no_args_is_help=True)
