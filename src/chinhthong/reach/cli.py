"""`chinhthong units …` and `chinhthong staff …`."""

import typer

units_app = typer.Typer(
    help="Units of the organisation (a tree of any depth).", no_args_is_help=True
)
staff_app = typer.Typer(help="Staff members on the units' rosters.", no_args_is_help=True)
