"""`chinhthong bulletins …`: write, publish, schedule, correct and cancel bulletins from files,
as scripts do; list and show them.

Who acts: every write names an account with `--as USERNAME` (or the CHINHTHONG_USER variable),
which must hold an editor's permission. A bulletin is official information: its history says
which person published or corrected it, as it does for the back office, and a script cannot
publish as "nobody" or under an account that could not do it on the web.

Exit status: 0 done, 2 refused (a problem in the file, a refusal of the services, a file that
cannot be read), with the reason on standard error.
"""

import datetime as dt
from pathlib import Path
from typing import NoReturn

import typer
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(help="Bản tin: soạn, đăng, đính chính (bulletins).", no_args_is_help=True)
out = terminal.console()
err = terminal.console(stderr=True)

AS_USER = typer.Option(
    "",
    "--as",
    envvar="CHINHTHONG_USER",
    help="Username of the editor acting (recorded in the bulletin's history).",
)
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


def _refuse(message: str) -> NoReturn:
    for line in str(message).splitlines():
        err.print(one_line(line), markup=False, soft_wrap=True)
    raise typer.Exit(2)


def _actor(username: str, permission: str):
    from django.contrib.auth import get_user_model

    if not username:
        _refuse(
            _(
                "Say who is acting: --as USERNAME (or the CHINHTHONG_USER variable); the "
                "bulletin's history records it."
            )
        )
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        _refuse(_("There is no active user “%(user)s”.") % {"user": one_line(username)})
    if not user.has_perm(permission):
        _refuse(
            _("“%(user)s” may not write bulletins (an editor's role may).")
            % {"user": one_line(username)}
        )
    return user


def _bulletin(slug: str):
    from chinhthong.bulletins.models import Bulletin

    found = Bulletin.objects.filter(slug=slug).first()
    if found is None:
        _refuse(_("There is no bulletin with the address “%(slug)s”.") % {"slug": one_line(slug)})
    return found


def _when(text: str) -> dt.datetime:
    for pattern in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern)  # naive: Vietnam's time
        except ValueError:
            continue
    _refuse(
        _("--schedule: write the time in Vietnam as “2026-12-06 07:00”, not “%(text)s”.")
        % {"text": one_line(text)}
    )


def _read(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:
            _refuse(
                _("%(file)s: the file is larger than %(kb)s KB.")
                % {"file": one_line(path), "kb": limit // 1024}
            )
        return path.read_bytes()
    except OSError as exc:
        terminal.file_error(path, exc)
        raise typer.Exit(2) from exc


def _written(file: Path):
    from chinhthong.bulletins import frontmatter

    document = frontmatter.read(_read(file, frontmatter.MAX_FILE_BYTES))
    return document, frontmatter.written(document, file.parent)


def _attach(bulletin, paths: list[Path], actor) -> None:
    """Attach the files a bulletin's file lists; one already attached (the same bytes) is
    skipped, so a correction may list the files of the first version again."""
    import hashlib

    from chinhthong.bulletins import attachments
    from chinhthong.config.refusals import Refused

    for path in paths:
        data = _read(path, attachments.cap())
        if bulletin.attachments.filter(sha256=hashlib.sha256(data).hexdigest()).exists():
            continue
        try:
            attachments.add_attachment(bulletin, name=path.name, data=data, actor=actor)
        except Refused as exc:
            raise Refused(f"{path.name}: {exc.message}", code=exc.code) from exc


def _public_address(bulletin) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_URL + reverse("bulletins:detail", kwargs={"slug": bulletin.slug})


def _refusals(action):
    """Run ``action``; a refusal of the services is said on standard error, exit status 2."""
    from chinhthong.config.refusals import Refused

    try:
        return action()
    except Refused as exc:
        _refuse(exc.message)


@app.command("publish")
def publish(
    file: Path = typer.Argument(..., help="Markdown file with front matter (title, urgency…)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything; store nothing."),
    schedule: str = typer.Option(
        "", "--schedule", help="Publish at this time in Vietnam, e.g. “2026-12-06 07:00”."
    ),
    username: str = AS_USER,
) -> None:
    """Publish a bulletin written in FILE.md, now or at --schedule."""
    from django.db import transaction

    from chinhthong.bulletins import services

    actor = _actor(username, "bulletins.add_bulletin")
    when = _when(schedule) if schedule else None

    def run():
        _document, written = _written(file)
        with transaction.atomic():
            bulletin = services.create_draft(written.draft, actor=actor)
            _attach(bulletin, written.attachments, actor)
            if when is not None:
                bulletin = services.schedule(bulletin, when, actor=actor)
            else:
                bulletin = services.publish(bulletin, actor=actor)
            transaction.set_rollback(dry_run)  # a dry run goes through every check, then undoes
        return bulletin, written.draft.title

    bulletin, title = _refusals(run)
    values = {"title": one_line(title)}
    if when is not None:
        values["when"] = services.local_time(bulletin.scheduled_for)
    if dry_run:  # nothing was made: no address to give
        if when is not None:
            done = _("Dry run: “%(title)s” would be scheduled for %(when)s. Nothing stored.")
        else:
            done = _("Dry run: “%(title)s” would be published. Nothing stored.")
    else:
        values["address"] = _public_address(bulletin)
        if when is not None:
            done = _("Scheduled “%(title)s” for %(when)s: %(address)s")
        else:
            done = _("Published “%(title)s”: %(address)s")
    out.print(done % values, markup=False, soft_wrap=True)


@app.command("correct")
def correct(
    slug: str = typer.Argument(..., help="The bulletin's address (its slug)."),
    file: Path = typer.Argument(..., help="The corrected Markdown file."),
    significant: bool = typer.Option(
        False, "--significant", help="Staff who read it must read the new version."
    ),
    note: str = typer.Option(..., "--note", help="What changed, for readers."),
    username: str = AS_USER,
) -> None:
    """Correct a published bulletin: a new signed version saying what changed."""
    from django.db import transaction

    from chinhthong.bulletins import frontmatter, services

    actor = _actor(username, "bulletins.change_bulletin")
    bulletin = _bulletin(slug)
    if not note.strip():
        _refuse(_("--note: say what changed."))

    def run():
        document, written = _written(file)
        frontmatter.unchanged_after_publishing(document, bulletin, written.draft)
        with transaction.atomic():
            _attach(bulletin, written.attachments, actor)
            return services.correct(
                bulletin, written.draft, actor=actor, significant=significant, change_note=note
            )

    version = _refusals(run)
    message = _("Corrected “%(title)s”: version %(number)s%(significant)s.") % {
        "title": one_line(version.title),
        "number": version.number,
        "significant": _(", significant: staff read it again") if significant else "",
    }
    out.print(message, markup=False, soft_wrap=True)


@app.command("cancel")
def cancel(
    slug: str = typer.Argument(..., help="The bulletin's address (its slug)."),
    username: str = AS_USER,
) -> None:
    """Cancel a draft or a scheduled bulletin (a published one is corrected instead)."""
    from chinhthong.bulletins import services

    actor = _actor(username, "bulletins.change_bulletin")
    bulletin = _bulletin(slug)
    _refusals(lambda: services.cancel(bulletin, actor=actor))
    out.print(_("Cancelled “%(title)s”.") % {"title": one_line(bulletin)}, markup=False)


@app.command("list")
def list_(
    status: str = typer.Option("", help="draft, scheduled, published or cancelled."),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
) -> None:
    """List bulletins: address, status, urgency, time, versions, title."""
    from django.db.models import Count
    from rich.table import Table

    from chinhthong.bulletins import services
    from chinhthong.bulletins.models import Bulletin, Status

    found = (
        Bulletin.objects.annotate(count=Count("versions"))
        .prefetch_related("versions")
        .order_by("-pk")  # the newest written first
    )
    if status:
        if status not in Status.values:
            _refuse(_("--status: one of %(values)s.") % {"values": ", ".join(Status.values)})
        found = found.filter(status=status)
    table = Table()
    # The address is what the other commands take: shown whole, the title folds instead.
    table.add_column(_("address"), no_wrap=True, overflow="fold")
    for column in (_("status"), _("urgency"), _("time"), _("versions")):
        table.add_column(column)
    table.add_column(_("bulletin title"), overflow="fold")
    for bulletin in found[:limit]:
        when = bulletin.published_at or bulletin.scheduled_for
        table.add_row(
            bulletin.slug,
            bulletin.get_status_display(),
            bulletin.get_urgency_display(),
            services.local_time(when) if when else "",
            str(bulletin.count),
            one_line(max(bulletin.versions.all(), key=lambda v: v.number).title),
        )
    out.print(table)


@app.command("show")
def show(slug: str = typer.Argument(..., help="The bulletin's address (its slug).")) -> None:
    """Show a bulletin: status, audience, topics, versions, and the latest text."""
    from chinhthong.bulletins import services

    bulletin = _bulletin(slug)
    versions = list(bulletin.versions.select_related("created_by").order_by("number"))
    latest = versions[-1]
    audience = (
        _("the whole province")
        if bulletin.whole_province
        else ", ".join(f"{u.name} ({u.code})" for u in bulletin.audience.all())
    )
    rows = [
        (_("bulletin title"), latest.title),
        (_("status"), bulletin.get_status_display()),
        (_("urgency"), bulletin.get_urgency_display()),
        (_("audience"), audience),
        (_("topics"), ", ".join(bulletin.tags)),
    ]
    for label, when in ((_("published at"), bulletin.published_at),
                        (_("scheduled for"), bulletin.scheduled_for)):  # fmt: skip
        if when:
            rows.append((label, services.local_time(when)))
    for label, value in rows:
        out.print(f"{label}: {one_line(value)}", markup=False, soft_wrap=True)
    for version in versions:
        line = _("version %(number)s, %(when)s, by %(who)s") % {
            "number": version.number,
            "when": services.local_time(version.created_at),
            "who": version.created_by or "—",
        }
        if version.significant:
            line += " — " + _("significant")
        if version.change_note:
            line += " — " + version.change_note
        out.print(one_line(line), markup=False, soft_wrap=True)
    out.print("")
    terminal.write(latest.body_markdown + "\n")


from chinhthong.bulletins.intake_cli import app as feeds_app  # noqa: E402

app.add_typer(feeds_app, name="feeds")
