"""`chinhthong gateway …`: the mail gateway's commands (the milter is `chinhthong milter`)."""

from pathlib import Path

import typer

app = typer.Typer(help="Mail gateway: the forward-to-check mailbox.", no_args_is_help=True)


@app.command("tipline")
def tipline_command(
    directory: Path = typer.Argument(..., help="The Maildir where the tipline's mail arrives."),
) -> None:
    """Answer the messages forwarded to the tipline (a Maildir), each once, with the verdict."""
    from chinhthong.config import terminal
    from chinhthong.config.refusals import Refused
    from chinhthong.config.terminal import one_line
    from chinhthong.gateway import tipline

    out = terminal.console()
    err = terminal.console(stderr=True)
    try:
        counts = tipline.answer_maildir(directory)
    except Refused as exc:
        err.print(one_line(exc.message), markup=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    for note in counts.notes:
        out.print(one_line(note), markup=False, highlight=False, soft_wrap=True)
    out.print(one_line(tipline.summary(counts, directory)), markup=False, soft_wrap=True)
