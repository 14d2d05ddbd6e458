"""`chinhthong units …` and `chinhthong staff …`: the organisation from the command line.

Imports check the whole file first: a file with bad rows is refused (exit 2) with every bad
row's number and problem, and nothing is stored (reach/importers.py).
"""

from pathlib import Path

import typer
from django.utils.translation import gettext as _
from rich.table import Table

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

units_app = typer.Typer(
    help="Đơn vị của tổ chức, dạng cây (units of the organisation).", no_args_is_help=True
)
staff_app = typer.Typer(
    help="Danh sách cán bộ của các đơn vị (staff rosters).", no_args_is_help=True
)
out = terminal.console()
err = terminal.console(stderr=True)

CHANGES_SHOWN = 100  # changes listed one a line; the rest counted


@units_app.command("import")
def import_units(
    file: Path = typer.Argument(..., help="CSV (UTF-8) or .xlsx: columns code,name,parent_code."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; store nothing."),
    user: str = typer.Option("", help="Username recorded in the history as the author."),
) -> None:
    """Import units: parents may come after their children; cycles and unknown parents are
    refused."""
    from chinhthong.reach import importers

    data, actor = _read(file), _actor(user)
    report = _refusals(
        lambda: importers.import_units(data, file.name, dry_run=dry_run, actor=actor)
    )
    _print_report(report, dry_run)


@units_app.command("list")
def list_units() -> None:
    """The tree of units, each under its parent."""
    from chinhthong.reach.models import Unit

    for unit in Unit.objects.order_by("path"):
        closed = "" if unit.active else " " + _("(closed)")
        line = f"{'  ' * unit.depth}{one_line(unit.name)} [{one_line(unit.code)}]{closed}"
        out.print(line, markup=False, highlight=False)


@units_app.command("add-manager")
def add_manager(code: str, username: str) -> None:
    """Make USERNAME a manager of the unit CODE (and so of the units below it)."""
    from django.contrib.auth import get_user_model

    from chinhthong.reach import organisation
    from chinhthong.reach.models import Unit

    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        _refuse(_("There is no unit with the code %(code)s.") % {"code": one_line(code)})
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        _refuse(_("There is no user “%(user)s”.") % {"user": one_line(username)})
    organisation.add_manager(unit, user)
    out.print(
        _("%(user)s now manages %(unit)s.")
        % {"user": one_line(username), "unit": one_line(unit.name)},
        markup=False,
    )


@staff_app.command("import")
def import_staff(
    file: Path = typer.Argument(
        ..., help="CSV (UTF-8) or .xlsx: columns name,unit,position,category,email,phone,zalo_id."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; store nothing."),
    deactivate_missing: bool = typer.Option(
        False,
        "--deactivate-missing",
        help="The file is the full roster of its units: deactivate their people it leaves out.",
    ),
    user: str = typer.Option("", help="Username recorded in the history as the author."),
) -> None:
    """Import a staff roster: people are recognised by email, else phone; moves are kept in
    their history."""
    from chinhthong.reach import staff_import

    data, actor = _read(file), _actor(user)
    report = _refusals(
        lambda: staff_import.import_staff(
            data, file.name, dry_run=dry_run, deactivate_missing=deactivate_missing, actor=actor
        )
    )
    _print_report(report, dry_run)


@staff_app.command("deactivate")
def deactivate(
    email: str,
    user: str = typer.Option("", help="Username recorded in the history as the author."),
) -> None:
    """The person left: kept, marked inactive, their account closed."""
    from chinhthong.reach import organisation

    actor = _actor(user)
    staff = _refusals(lambda: organisation.staff_by_email(email))
    if not staff.active:
        out.print(_("%(name)s was already inactive.") % {"name": one_line(staff.name)})
        return
    organisation.deactivate_staff(staff, actor=actor)
    out.print(_("%(name)s is now inactive.") % {"name": one_line(staff.name)}, markup=False)


@staff_app.command("history")
def history(email: str) -> None:
    """A staff member's unit now and their moves between units."""
    from django.utils import formats, timezone

    from chinhthong.reach import organisation

    staff = _refusals(lambda: organisation.staff_by_email(email))
    unit = " / ".join(organisation.unit_path_names(staff.unit))
    state = _("active") if staff.active else _("inactive")
    out.print(f"{one_line(staff.name)} — {one_line(unit)} ({state})", markup=False)
    moves = organisation.unit_moves(staff)
    if not moves:
        out.print(_("No moves between units."))
    for move in moves:
        when = formats.date_format(timezone.localtime(move.at), "SHORT_DATETIME_FORMAT")
        line = _("%(when)s: from %(old)s to %(new)s") % {
            "when": when,
            "old": one_line(move.old_unit),
            "new": one_line(move.new_unit),
        }
        extra = ", ".join(one_line(x) for x in (move.by, move.reason) if x)
        out.print(f"{line}" + (f" ({extra})" if extra else ""), markup=False, highlight=False)


# --- shared -----------------------------------------------------------------------------------
def _read(file: Path) -> bytes:
    from chinhthong.reach.roster_files import read_limited

    try:
        with file.open("rb") as stream:
            return read_limited(stream)
    except OSError as exc:
        terminal.file_error(file, exc)
        raise typer.Exit(2) from exc


def _actor(username: str):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        _refuse(_("There is no user “%(user)s”.") % {"user": one_line(username)})
    return user


def _refusals(action):
    """Run ``action``; a refusal is printed (each bad row of a file on its line) and the
    command exits with status 2."""
    from chinhthong.config.refusals import Refused
    from chinhthong.reach.roster_files import RosterRejected

    try:
        return action()
    except RosterRejected as exc:
        err.print(f"[red bold]{exc.message}[/red bold]")
        for problem in exc.problems:
            err.print(f"  • {one_line(problem)}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except Refused as exc:
        _refuse(exc.message)


def _print_report(report, dry_run: bool) -> None:
    table = Table(title=_("Changes it would make (dry run)") if dry_run else _("Changes made"))
    for column in (_("row"), _("action"), _("who or what"), _("changed")):
        table.add_column(column)
    labels = {"add": _("add"), "update": _("update"), "deactivate": _("deactivate")}
    changes = [c for c in report.changes if c.action != "unchanged"]
    for change in changes[:CHANGES_SHOWN]:
        what = ", ".join(change.fields)
        if change.moved:
            what = _("moved from %(old)s to %(new)s") % {
                "old": change.old_unit,
                "new": change.new_unit,
            }
        table.add_row(
            str(change.row or ""),
            labels[change.action],
            one_line(f"{change.label} <{change.key}>"),
            one_line(what),
        )
    if table.row_count:
        out.print(table)
    if len(changes) > CHANGES_SHOWN:
        out.print(_("… and %(count)s more.") % {"count": len(changes) - CHANGES_SHOWN})
    counts = report.counts()
    summary = (
        _(
            "added: %(add)s, updated: %(update)s (moved: %(moved)s), unchanged: %(unchanged)s, "
            "deactivated: %(deactivate)s"
        )
        % counts
    )
    out.print(summary + (_(" — nothing stored (dry run).") if dry_run else ""), markup=False)


def _refuse(message: str):
    err.print(message, markup=False)
    raise typer.Exit(2)
