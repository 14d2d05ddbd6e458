"""`chinhthong delivery …`: where a bulletin's deliveries stand, retrying them, the digest by
hand, bounces from a Maildir. Each command calls the service the task queue and the back office
call; a refusal exits with status 2."""

import datetime as dt
from pathlib import Path

import typer
from django.utils.translation import gettext as _
from rich.table import Table

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(
    help="Gửi bản tin tới cán bộ: thư điện tử, thông báo đẩy, Zalo (delivery).",
    no_args_is_help=True,
)
out = terminal.console()
err = terminal.console(stderr=True)


@app.command("vapid-keygen")
def vapid_keygen() -> None:
    """Create the web push (VAPID) key pair once; every node needs the same file."""
    from django.conf import settings

    from chinhthong.delivery import vapid

    path = settings.VAPID_KEY_FILE
    if vapid.generate_key_file(path):
        out.print(_("Created the web push (VAPID) key: %(path)s") % {"path": one_line(path)})
    else:
        kept = _("A web push key is already at %(path)s; it was kept.")
        out.print(kept % {"path": one_line(path)})


@app.command("zalo-token")
def zalo_token(
    access_token: str = typer.Argument(..., help="The Official Account's access token."),
    refresh_token: str = typer.Argument(..., help="Its refresh token (used once, then rotated)."),
) -> None:
    """Store the Zalo Official Account's first tokens (from Zalo's developer console)."""
    from django.utils import formats, timezone

    from chinhthong.delivery import zalo

    try:
        row = zalo.seed_tokens(access_token, refresh_token)
    except ValueError as exc:
        err.print(_("Both tokens are needed."), markup=False)
        raise typer.Exit(2) from exc
    expires = timezone.localtime(row.access_expires_at)
    expires = formats.date_format(expires, "SHORT_DATETIME_FORMAT")
    out.print(
        _("Zalo tokens stored; the access token is refreshed before %(time)s.") % {"time": expires},
        markup=False,
    )


def _refusals(action):
    from chinhthong.config.refusals import Refused

    try:
        return action()
    except Refused as exc:
        err.print(one_line(exc.message), markup=False)
        raise typer.Exit(2) from exc


@app.command("status")
def status(slug: str = typer.Argument(..., help="The bulletin's address (slug).")) -> None:
    """Deliveries of a bulletin: a count per channel and status, and the commonest failures."""
    from chinhthong.delivery import queries, services
    from chinhthong.delivery.models import Status

    bulletin = _refusals(lambda: services.bulletin_by_slug(slug))
    summary = queries.status_summary(bulletin)
    if not summary:
        out.print(_("No deliveries yet."), markup=False)
        return
    table = Table(title=one_line(str(bulletin)))
    table.add_column(_("Channel"), no_wrap=True)
    for _value, label in Status.choices:
        table.add_column(str(label), justify="right")
    table.add_column(_("Total"), justify="right")
    for line in summary:
        counts = [str(line.count(s)) for s in Status.values]
        table.add_row(line.channel, *counts, str(line.total))
    out.print(table)
    for channel, state, reason, n in queries.failure_reasons(bulletin):
        out.print(f"{channel} {state} ×{n}: {one_line(reason)}", markup=False, highlight=False)


@app.command("retry")
def retry(slug: str = typer.Argument(..., help="The bulletin's address (slug).")) -> None:
    """Send now the deliveries of a bulletin that wait after a temporary failure."""
    from chinhthong.delivery import services

    bulletin = _refusals(lambda: services.bulletin_by_slug(slug))
    count = services.retry_failed(bulletin)
    out.print(_("%(count)s deliveries queued to be sent again.") % {"count": count}, markup=False)


@app.command("bounces")
def bounces(
    maildir: Path = typer.Argument(..., help="The Maildir where bounces to the sender arrive."),
) -> None:
    """Read the bounces (delivery status notifications) not yet read from a Maildir."""
    from chinhthong.delivery import bounces as reader

    summary = _refusals(lambda: reader.read_maildir(maildir))
    out.print(
        _(
            "%(read)s messages read, %(reports)s delivery reports, %(recorded)s deliveries "
            "recorded as bounced."
        )
        % summary.as_dict(),
        markup=False,
    )


@app.command("send-digest")
def send_digest(
    date: str = typer.Option(
        "", "--date", help="The day (YYYY-MM-DD) whose digest to send; the latest due by default."
    ),
) -> None:
    """Send a day's email digest now (nobody gets one day's digest twice)."""
    from django.utils import timezone

    from chinhthong.delivery import digest, services

    if date:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError as exc:
            err.print(_("The date must be written YYYY-MM-DD."), markup=False)
            raise typer.Exit(2) from exc
        if digest.moment(day) > timezone.now():  # its day's bulletins are not all in yet
            due = timezone.localtime(digest.moment(day))
            err.print(
                _("The digest of %(day)s is due at %(time)s; it cannot be sent before.")
                % {"day": day.strftime("%d/%m/%Y"), "time": due.strftime("%H:%M %d/%m/%Y")},
                markup=False,
            )
            raise typer.Exit(2)
    else:
        day = digest.due_day()
    made = services.prepare_digest(day, again=True)
    out.print(
        _("Digest of %(day)s: %(count)s emails queued.")
        % {"day": day.strftime("%d/%m/%Y"), "count": made},
        markup=False,
    )


@app.command("send")
def send(
    channel: str = typer.Argument("email", help="email, webpush or zalo."),
) -> None:
    """Send the due deliveries of a channel in this process, until none is left."""
    from chinhthong.delivery import queue
    from chinhthong.delivery.models import Channel

    if channel not in Channel.values:
        err.print(_("Unknown channel: %(channel)s") % {"channel": one_line(channel)})
        raise typer.Exit(2)
    counts = queue.send_due(channel)
    out.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0", markup=False)


@app.command("remind")
def remind(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show who would be reminded, on which channel; send nothing."
    ),
) -> None:
    """Remind staff who have not read an urgent bulletin after CHINHTHONG_REMINDER_AFTER_HOURS
    (the scheduler does it every few minutes; nobody is reminded twice in one round)."""
    from chinhthong.reach import reminders

    rounds = reminders.remind_due(dry_run=dry_run)
    if not rounds:
        out.print(_("No reminders are due."), markup=False)
    for found in rounds:
        channels = ", ".join(f"{c}: {n}" for c, n in sorted(found.channels.items()))
        line = _("%(title)s, round %(round)s: %(count)s reminders (%(channels)s)") % {
            "title": one_line(str(found.bulletin)),
            "round": found.number,
            "count": found.total,
            "channels": channels,
        }
        out.print(line, markup=False, highlight=False)
    if dry_run and rounds:
        out.print(_("Dry run: nothing was sent."), markup=False)


@app.command("weekly-summary")
def weekly_summary() -> None:
    """Send the unit managers' weekly summary now, to those who have not had this week's."""
    from chinhthong.reach import summaries

    counts = summaries.send_due()
    out.print(
        _("Weekly summaries: %(sent)s sent, %(failed)s failed, %(skipped)s with nothing to report.")
        % counts,
        markup=False,
    )
