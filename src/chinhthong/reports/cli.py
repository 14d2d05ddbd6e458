"""`chinhthong reports …`: follow cases and check their chains of custody from a terminal, and
take reports forwarded to a mailbox.

Exit status: 0 done (for verify-custody: every chain checked holds), 1 a chain does not hold,
2 refused (no such case, a directory that cannot be read), with the reason on standard error.
"""

from pathlib import Path
from typing import NoReturn

import typer
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(
    help="Phản ánh tin giả: vụ việc, chuỗi lưu giữ chứng cứ (reports).", no_args_is_help=True
)
out = terminal.console()
err = terminal.console(stderr=True)


def _refuse(message: str) -> NoReturn:
    err.print(one_line(str(message)), markup=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command("verify-custody")
def verify_custody(
    case: str = typer.Argument(
        "", help="The case number (VV-…); with --all, every case.", show_default=False
    ),
    every: bool = typer.Option(False, "--all", help="Check every case's chain."),
) -> None:
    """Check a case's chain of custody: every entry unchanged, none removed, none cut off the
    end (the signed head)."""
    from chinhthong.reports import custody
    from chinhthong.reports.models import Case

    if every:
        cases = list(Case.objects.order_by("pk"))
    else:
        if not case:
            _refuse(_("Name a case (VV-…), or give --all."))
        found = Case.objects.filter(number=case.strip().upper()).first()
        if found is None:
            _refuse(_("There is no case “%(case)s”.") % {"case": one_line(case)})
        cases = [found]
    broken = 0
    for item in cases:
        problems = custody.verify(item)
        entries = item.custody.count()
        if not problems:
            out.print(
                _("%(case)s: the chain of custody holds (%(n)s entries).")
                % {"case": item.number, "n": entries},
                markup=False,
            )
            continue
        broken += 1
        err.print(
            _("%(case)s: the chain of custody does NOT hold:") % {"case": item.number},
            markup=False,
        )
        for problem in problems:
            where = _("entry %(n)s") % {"n": problem.seq} if problem.seq else _("head")
            err.print(f"  - {where}: {problem.message}", markup=False)
    if broken:
        raise typer.Exit(1)


@app.command("list")
def list_cases(
    state: str = typer.Option("", help="Only cases in this state (new, triage, …)."),
    limit: int = typer.Option(50, min=1, max=10_000, help="At most this many, newest first."),
) -> None:
    """The cases, newest first: number, state, verdict, reports, claim."""
    from django.db.models import Count

    from chinhthong.reports.models import Case, State

    cases = Case.objects.annotate(n=Count("reports")).order_by("-created_at")
    if state:
        if state not in State.values:
            _refuse(
                _("Unknown state “%(state)s”; one of: %(all)s.")
                % {"state": one_line(state), "all": ", ".join(State.values)}
            )
        cases = cases.filter(state=state)
    for item in cases[:limit]:
        out.print(
            f"{item.number}\t{item.state}\t{item.verdict or '-'}\t{item.n}\t"
            f"{one_line(item.title)[:80]}",
            markup=False,
            soft_wrap=True,
        )


@app.command("ingest-maildir")
def ingest_maildir(
    directory: Path = typer.Argument(..., help="The Maildir where reports by mail arrive."),
) -> None:
    """Take the messages forwarded to the reports mailbox (a Maildir) as reports, once each."""
    from chinhthong.reports import mail_intake

    mail_intake.ingest_maildir_command(directory)


@app.command("prepare-matching")
def prepare_matching() -> None:
    """Prepare and store the words report matching compares, for every report and published
    bulletin that lacks them (after an upgrade that changes them)."""
    from chinhthong.reports import matching_cli

    matching_cli.prepare_matching()
