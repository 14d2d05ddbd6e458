"""`chinhthong bulletins feeds …`: the official channels' feeds and pages taken in for review
(bulletins/intake.py). Mounted by bulletins/cli.py."""

import typer
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(
    help="Feeds and pages of official channels, polled into the review queue.",
    no_args_is_help=True,
)
out = terminal.console(highlight=False, soft_wrap=True)
err = terminal.console(stderr=True, highlight=False, soft_wrap=True)


def _when(value) -> str:
    return localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


@app.command("add")
def add(
    channel: str = typer.Argument(..., help="The registry code of the website channel."),
    url: str = typer.Argument(..., help="The feed's or page's address, on the channel's domain."),
    kind: str = typer.Option("feed", "--kind", help="feed (RSS or Atom) or page (a web page)."),
    every: int = typer.Option(30, "--every", help="Minutes between polls."),
) -> None:
    """Register a feed or page of an official channel, polled on schedule by the worker."""
    from chinhthong.bulletins import intake
    from chinhthong.config.refusals import Refused

    try:
        source = intake.add_source(
            channel_slug=channel, url=url, kind=kind, every_minutes=every, actor=None
        )
    except Refused as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    out.print(
        _("%(url)s will be polled every %(every)s minutes.")
        % {"url": one_line(source.url), "every": source.every_minutes},
        markup=False,
    )


@app.command("poll")
def poll(
    every_source: bool = typer.Option(
        False, "--all", help="Every enabled source now, not only those that are due."
    ),
) -> None:
    """Poll feeds now (the scheduler does this on its own); exit 1 if any failed."""
    from chinhthong.bulletins import intake
    from chinhthong.bulletins.models import FeedSource
    from chinhthong.registry.models import ChannelStatus

    if every_source:
        sources = FeedSource.objects.filter(enabled=True, channel__status=ChannelStatus.ACTIVE)
        results = [intake.poll(s) for s in sources.select_related("channel").order_by("pk")]
    else:
        results = intake.poll_due()
    if not results:
        out.print(_("No feed is due."))
    for result in results:
        line = f"{one_line(result.source.url)}: {one_line(result)}"
        (err if result.error else out).print(line, markup=False)
    raise typer.Exit(1 if any(r.error for r in results) else 0)


@app.command("queue")
def queue() -> None:
    """Items waiting for an editor's review, the oldest first."""
    from chinhthong.bulletins import intake
    from chinhthong.bulletins.models import ItemStatus

    items = intake.queue().filter(status=ItemStatus.PENDING).prefetch_related("sources__channel")
    shown = 0
    for item in items[:500]:
        channels = sorted({one_line(s.channel.name) for s in item.sources.all()})
        out.print(f"#{item.pk}  {_when(item.first_seen_at)}  {', '.join(channels)}", markup=False)
        out.print(f"    {one_line(item.title)}", markup=False)
        if item.link:
            out.print(f"    {one_line(item.link)}", markup=False)
        shown += 1
    if not shown:
        out.print(_("No item is waiting for review."))
        return
    out.print(
        _("%(count)s items wait for review; approve or reject them in the back office.")
        % {"count": items.count()}
    )
