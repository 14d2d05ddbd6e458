"""`chinhthong registry …`: import, export, snapshot and signing-key commands."""

import sys
from enum import StrEnum
from pathlib import Path

import typer
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.table import Table

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(
    help="Sổ đăng ký kênh chính thống (registry of official channels).", no_args_is_help=True
)
out = terminal.console()
err = terminal.console(stderr=True)

MAX_PROBLEMS_SHOWN = 50  # a rejected import's problems printed one a line; the rest counted


class Format(StrEnum):
    json = "json"
    yaml = "yaml"


@app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., help="Registry file, .yaml/.yml or .json; - for standard input."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would change; change nothing."
    ),
    file_format: Format | None = typer.Option(
        None, "--format", help="Format when reading standard input."
    ),
    user: str = typer.Option("", help="Username recorded in the history as the author."),
) -> None:
    """Import a registry file: validated whole, applied all-or-nothing."""
    from django.contrib.auth import get_user_model

    from chinhthong.registry import files, importing

    try:
        if str(file) == "-":
            data = files.read_limited(sys.stdin.buffer)
            fmt = (file_format or Format.yaml).value
        else:
            with file.open("rb") as stream:
                data = files.read_limited(stream)
            fmt = file_format.value if file_format else files.format_for(file.name)
        author = get_user_model().objects.get(username=user) if user else None
        result = importing.import_registry(
            files.read_document(data, fmt),
            dry_run=dry_run,
            user=author,
            reason=_("Imported from %(file)s") % {"file": file.name[:70]},
        )
    except OSError as exc:
        terminal.file_error(file, exc)
        raise typer.Exit(2) from exc
    except get_user_model().DoesNotExist as exc:
        err.print(_("There is no user “%(user)s”.") % {"user": user})
        raise typer.Exit(2) from exc
    except importing.ImportRejected as exc:
        _print_problems(exc.result.problems)
        raise typer.Exit(1) from exc
    _print_changes(result, dry_run)


def _print_problems(problems) -> None:
    """The count, the first MAX_PROBLEMS_SHOWN problems and how many more: a file can hold
    hundreds of thousands (one per unknown key), and a line each buries the first ones."""
    count = len(problems)
    headline = ngettext(
        "Nothing was imported: %(count)s problem.",
        "Nothing was imported: %(count)s problems.",
        count,
    ) % {"count": number_format(count, force_grouping=True)}
    err.print(f"[red bold]{headline}[/red bold]")
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        err.print(f"  • {problem}", markup=False, highlight=False)
    more = count - MAX_PROBLEMS_SHOWN
    if more > 0:
        line = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
        more_line = line % {"count": number_format(more, force_grouping=True)}
        err.print(f"  {more_line}", markup=False, highlight=False)


def _print_changes(result, dry_run: bool) -> None:
    table = Table(title=_("Changes it would make (dry run)") if dry_run else _("Imported"))
    for column in (_("section"), _("key"), _("action"), _("changed fields")):
        table.add_column(column)
    labels = {"create": _("create"), "update": _("update")}
    for change in result.changes:
        if change.action != "unchanged":
            table.add_row(
                change.section, change.key, labels[change.action], ", ".join(change.fields)
            )
    if table.row_count:
        out.print(table)
    counts = result.counts()
    summary = _("created: %(create)s, updated: %(update)s, unchanged: %(unchanged)s") % {
        "create": counts.get("create", 0),
        "update": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0),
    }
    out.print(summary + (_(" — nothing written (dry run).") if dry_run else ""))


@app.command()
def export(
    file_format: Format = typer.Option(Format.yaml, "--format", help="json or yaml."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write here instead of standard output."
    ),
) -> None:
    """Export the whole registry; importing the result changes nothing."""
    from chinhthong.registry.exporting import dumps, registry_document

    document = registry_document()
    text = dumps(document, file_format.value)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            terminal.file_error(output, exc, writing=True)
            raise typer.Exit(1) from exc
        # Said on standard error, so that a script reading standard output gets nothing extra.
        err.print(
            _("Wrote %(agencies)s agencies and %(channels)s channels to %(file)s.")
            % {
                "agencies": len(document.get("agencies", [])),
                "channels": len(document.get("channels", [])),
                "file": one_line(output),
            },
            markup=False,
            soft_wrap=True,  # a path broken over lines cannot be copied
        )
    else:
        terminal.write_document(terminal.json_text(text) if file_format is Format.json else text)


@app.command()
def snapshot() -> None:
    """Build and sign /registry.json now (normally a background task does it)."""
    from chinhthong.registry import snapshots

    built = snapshots.build_snapshot()
    out.print(f"#{built.pk} sha256={built.sha256} key={built.key_id}")


@app.command("verify-snapshot")
def verify_snapshot(
    file: Path = typer.Argument(..., help="The registry.json file."),
    sig: Path = typer.Argument(..., help="Its signature (registry.json.sig)."),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="PEM public key (registry.pub); default: this node's key."
    ),
) -> None:
    """Check a snapshot's Ed25519 signature; exit 0 if valid, 1 if not, 2 if unreadable."""
    from django.conf import settings

    from chinhthong.registry import signing

    try:
        body, signature = file.read_bytes(), sig.read_bytes()
        if public_key:
            pem = public_key.read_bytes()
        else:
            pem = signing.public_pem(signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE))
        valid = signing.verify(pem, body, signature)
    except (OSError, ValueError, signing.SigningKeyMissing) as exc:
        err.print(
            _("Cannot check the signature: %(error)s") % {"error": one_line(exc)}, markup=False
        )
        raise typer.Exit(2) from exc
    if not valid:
        message = _("Signature NOT valid: the file was changed or not signed by this key.")
        err.print(f"[red bold]{message}[/red bold]")
        raise typer.Exit(1)
    message = _("Signature valid.")
    out.print(f"[green bold]{message}[/green bold]")


@app.command()
def keygen(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write the key; default: CHINHTHONG_SIGNING_KEY_FILE."
    ),
) -> None:
    """Create the Ed25519 key that signs snapshots, once; copy it to every node that signs."""
    from django.conf import settings

    from chinhthong.registry import signing

    path = output or settings.REGISTRY_SIGNING_KEY_FILE
    if not signing.generate_key_file(path):
        err.print(
            _("A key already exists at %(path)s; it was left as it is.") % {"path": one_line(path)},
            markup=False,
        )
        raise typer.Exit(1)
    key = signing.load_private_key(path)
    out.print(
        _("Created %(path)s (key id %(key_id)s).")
        % {"path": one_line(path), "key_id": signing.key_id(key)},
        markup=False,
    )
    terminal.write(signing.public_pem(key).decode("ascii"))
