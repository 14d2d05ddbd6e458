"""Feed intake: the RSS/Atom feeds and web pages of registered official channels, polled on a
schedule into a review queue. Nothing taken in is distributed until an editor approves it,
which makes a bulletin draft the editor then publishes.

- Only a website channel of the registry that is active is polled, and only at addresses on
  its own domain (the domain or a name under it, which only the domain's holder can create):
  whatever comes in can be traced to the body that owns the channel. A feed that redirects
  off that domain is refused.
- Every fetch goes through config/outbound.py (private addresses refused, the vetted address
  pinned, redirects re-checked, size and time capped), conditionally (ETag, Last-Modified).
- A failing feed waits longer after each failure (doubling from its interval, at most a day,
  at least what Retry-After asks); its reason is kept in ``last_error``. One broken feed never
  stops the others.
- The poll's own bookkeeping is written with update(): the source's history keeps what people
  changed, not every poll.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.bulletins import intake_parsing, services
from chinhthong.bulletins.intake_parsing import ParseError
from chinhthong.bulletins.models import Bulletin, FeedItem, FeedKind, FeedSource, ItemStatus
from chinhthong.config import outbound
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.config.validators import field_problems, without_control_characters
from chinhthong.registry.models import Channel, ChannelKind, ChannelStatus
from chinhthong.verify import canonical

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
FETCH_SECONDS = 30
EVERY_MIN, EVERY_MAX = 5, 7 * 24 * 60
BACKOFF_CAP = dt.timedelta(days=1)
# A claimed source is not claimed again for this long, should its poll never finish.
LEASE = dt.timedelta(minutes=10)
LAST_ERROR_MAX = 1000


class PollFailed(Exception):
    """A poll that brought nothing in; the message is kept as the source's ``last_error``."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class PollResult:
    source: FeedSource
    new: int = 0
    seen: int = 0
    not_modified: bool = False
    error: str = ""

    def __str__(self) -> str:
        if self.error:
            return _("error: %(error)s") % {"error": self.error}
        if self.not_modified:
            return _("not modified")
        return _("%(new)s new, %(seen)s already known") % {"new": self.new, "seen": self.seen}


# --- sources ---------------------------------------------------------------------------------
def on_channel_domain(host: str, channel: Channel) -> bool:
    domain = channel.host
    return bool(domain) and (host == domain or host.endswith("." + domain))


def check_source_address(channel: Channel | None, url: str) -> str:
    """``url`` in canonical form, if a feed of ``channel`` may be read there; else Refused."""
    if channel is None:
        raise Refused(_("Choose the channel that publishes this feed."), code="no_channel")
    if channel.status != ChannelStatus.ACTIVE:
        raise Refused(
            _("Channel “%(name)s” is not active in the registry; only official channels are read.")
            % {"name": channel.name},
            code="channel_not_active",
        )
    if channel.kind != ChannelKind.WEBSITE or not channel.host:
        raise Refused(
            _("Only a website channel with its domain in the registry publishes feeds read here."),
            code="channel_not_website",
        )
    try:
        url = canonical.canonical_url(url)
        host = canonical.host_of_url(url)
    except canonical.InvalidIdentifier as exc:
        raise Refused(
            _("“%(url)s” is not an http or https link.") % {"url": url}, code="invalid_url"
        ) from exc
    if not on_channel_domain(host, channel):
        raise Refused(
            _(
                "%(host)s is not on the domain of channel “%(name)s” (%(domain)s): a feed is "
                "read only from its own channel's domain."
            )
            % {"host": host, "name": channel.name, "domain": channel.host},
            code="not_channel_domain",
        )
    return url


def check_every(every_minutes: int) -> None:
    if not EVERY_MIN <= every_minutes <= EVERY_MAX:
        raise Refused(
            _("Poll every %(min)s to %(max)s minutes.") % {"min": EVERY_MIN, "max": EVERY_MAX},
            code="every_out_of_range",
        )


def save_source(source: FeedSource, *, actor, reason: str = "") -> FeedSource:
    """Add or change a feed source, checked as every edge checks it; a source whose address
    changed starts afresh (no stored ETag, no failures)."""
    source.url = check_source_address(getattr(source, "channel", None), source.url)
    check_every(source.every_minutes)
    try:
        source.full_clean()
    except ValidationError as exc:
        raise Refused(field_problems(exc, FeedSource), code="invalid") from exc
    if source.pk:
        before = FeedSource.objects.filter(pk=source.pk).values_list("url", flat=True).first()
        if before != source.url:
            source.etag = source.last_modified = source.last_error = ""
            source.failures, source.next_poll_at = 0, None
    source._history_user = actor
    source._change_reason = (reason or "")[:100] or None
    source.save()
    return source


@transaction.atomic
def add_source(
    *, channel_slug: str, url: str, kind: str = FeedKind.FEED, every_minutes: int = 30, actor
) -> FeedSource:
    channel = Channel.objects.filter(slug=channel_slug).first()
    if channel is None:
        raise NotFound(
            _("No channel has the code %(slug)s.") % {"slug": channel_slug}, code="no_channel"
        )
    if kind not in FeedKind.values:
        raise Refused(
            _("The kind is one of: %(kinds)s.") % {"kinds": ", ".join(FeedKind.values)},
            code="invalid_kind",
        )
    source = FeedSource(channel=channel, url=url, kind=kind, every_minutes=every_minutes)
    return save_source(source, actor=actor)


def due_sources(now: dt.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return (
        FeedSource.objects.filter(enabled=True, channel__status=ChannelStatus.ACTIVE)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("channel")
        .order_by("next_poll_at", "pk")
    )


def poll_soon(sources) -> int:
    """Make ``sources`` due now (the back office's "poll now"); the worker polls them."""
    return FeedSource.objects.filter(pk__in=[s.pk for s in sources]).update(
        next_poll_at=timezone.now()
    )


def _claim(source: FeedSource, now: dt.datetime) -> bool:
    """Take ``source`` for this poll, unless another worker took it first."""
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    return bool(FeedSource.objects.filter(due, pk=source.pk).update(next_poll_at=now + LEASE))


# --- polling ---------------------------------------------------------------------------------
def poll_due(now: dt.datetime | None = None) -> list[PollResult]:
    """Poll every source that is due; one failing source never stops the others."""
    now = now or timezone.now()
    results = []
    for source in due_sources(now):
        if _claim(source, now):
            results.append(poll(source, now=now))
    return results


def poll(source: FeedSource, *, now: dt.datetime | None = None) -> PollResult:
    """Fetch one source and take its new items into the review queue. Whatever stops it is
    recorded on the source (``last_error``, ``failures``, ``next_poll_at``), not raised."""
    now = now or timezone.now()
    result = PollResult(source)
    try:
        answer = _fetch(source)
        if answer.not_modified:
            result.not_modified = True
        else:
            entries = _parse(source, answer)
            result.new, result.seen = take_in(source, entries)
        _succeeded(source, answer, now)
    except PollFailed as exc:
        result.error = _failed(source, str(exc), exc.retry_after, now)
    except Exception as exc:
        log.exception("feed source %s: the poll failed", source.pk)
        message = _("The poll failed unexpectedly (%(error)s); the server log has the details.")
        result.error = _failed(
            source, message % {"error": f"{type(exc).__name__}: {exc}"}, None, now
        )
    return result


def _fetch(source: FeedSource) -> outbound.Fetched:
    try:
        check_source_address(source.channel, source.url)
    except Refused as exc:
        raise PollFailed(str(exc)) from exc
    try:
        answer = outbound.fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            max_bytes=MAX_BYTES,
            seconds=FETCH_SECONDS,
        )
    except outbound.FetchError as exc:
        raise PollFailed(str(exc)) from exc
    if answer.status in (429, 503):
        wait = answer.retry_after
        message = _("The server answered HTTP %(status)s (busy).") % {"status": answer.status}
        if wait is not None:
            message += " " + _("It asked to wait %(seconds)s seconds.") % {"seconds": int(wait)}
        raise PollFailed(message, retry_after=wait)
    if answer.status not in (200, 304):
        raise PollFailed(_("The server answered HTTP %(status)s.") % {"status": answer.status})
    final_host = canonical.host_of_url(answer.url)
    if not on_channel_domain(final_host, source.channel):
        raise PollFailed(
            _("The address redirected to %(host)s, off the channel's domain %(domain)s.")
            % {"host": final_host, "domain": source.channel.host}
        )
    return answer


def _parse(source: FeedSource, answer: outbound.Fetched) -> list[intake_parsing.Entry]:
    kind = answer.headers.get("content-type", "")
    try:
        if source.kind == FeedKind.PAGE:
            return intake_parsing.parse_page(answer.body, url=answer.url, content_type=kind)
        return intake_parsing.parse_feed(answer.body, url=answer.url, content_type=kind)
    except ParseError as exc:
        raise PollFailed(str(exc)) from exc


def take_in(source: FeedSource, entries: list[intake_parsing.Entry]) -> tuple[int, int]:
    """Each entry (as intake_parsing reads them: plain, bounded) as one item however many
    feeds carry it, waiting for review; returns (new, already known)."""
    new = seen = 0
    for entry in entries:
        key = intake_parsing.item_key(entry.link, entry.title, entry.summary)
        with transaction.atomic():
            item, created = FeedItem.objects.get_or_create(
                key=key,
                defaults={
                    "title": entry.title,
                    "summary": entry.summary,
                    "link": entry.link,
                    "published": entry.published,
                },
            )
            item.sources.add(source)
        new, seen = (new + 1, seen) if created else (new, seen + 1)
    return new, seen


def _succeeded(source: FeedSource, answer: outbound.Fetched, now: dt.datetime) -> None:
    values = {
        "failures": 0,
        "last_error": "",
        "last_polled_at": now,
        "next_poll_at": now + dt.timedelta(minutes=source.every_minutes),
    }
    if not answer.not_modified:
        values["etag"] = without_control_characters(answer.etag)[:300]
        values["last_modified"] = without_control_characters(answer.last_modified)[:100]
    FeedSource.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)


def backoff(every_minutes: int, failures: int, retry_after: float | None = None) -> dt.timedelta:
    """The wait after ``failures`` failures in a row: the interval doubled for each, at most a
    day (or the interval, when longer), at least what the server asked."""
    every = dt.timedelta(minutes=every_minutes)
    cap = max(BACKOFF_CAP, every)
    wait = every * 2 ** min(failures, 20)
    if retry_after is not None:
        wait = max(wait, dt.timedelta(seconds=retry_after))
    return min(wait, cap)


def _failed(source, message: str, retry_after: float | None, now: dt.datetime) -> str:
    message = without_control_characters(message)[:LAST_ERROR_MAX]
    failures = source.failures + 1
    values = {
        "failures": failures,
        "last_error": message,
        "last_polled_at": now,
        "next_poll_at": now + backoff(source.every_minutes, failures, retry_after),
    }
    FeedSource.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)
    log.warning("feed source %s (%s): %s", source.pk, source.url, message)
    return message


# --- the review queue ------------------------------------------------------------------------
def queue() -> QuerySet:
    """Items waiting for review first, the oldest first; then the reviewed ones."""
    pending_first = Case(
        When(status=ItemStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return FeedItem.objects.annotate(pending_first=pending_first).order_by(
        "pending_first", "first_seen_at", "pk"
    )


def _pending(item: FeedItem) -> FeedItem:
    item = FeedItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.PENDING:
        raise Refused(
            _("This item was already reviewed (%(status)s).")
            % {"status": item.get_status_display()},
            code="already_reviewed",
        )
    return item


@transaction.atomic
def edit_item(item: FeedItem, *, title: str, summary: str, actor) -> FeedItem:
    """An editor's wording of a waiting item, held to the same rules as what feeds bring."""
    item = _pending(item)
    item.title = intake_parsing.plain_text(title, intake_parsing.TITLE_MAX)
    item.summary = intake_parsing.plain_text(summary, intake_parsing.SUMMARY_MAX)
    if not item.title:
        raise Refused(_("An item needs a title."), code="no_title")
    item.save(update_fields=["title", "summary"])
    return item


def _markdown_text(text: str) -> str:
    """One line of plain text that Markdown shows as written (no emphasis, link, HTML or
    entity; no heading, list or quote made by its first characters)."""
    text = "".join("\\" + ch if ch in "\\`*_[]<>|~&" else ch for ch in text)
    if text[:1] in ("#", "-", "+", "=") or re.match(r"\d+[.)]", text):
        text = "\\" + text if not text[:1].isdigit() else re.sub(r"^(\d+)", r"\1\\", text)
    return text


def _link_target(url: str) -> str:
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def _cited_sources(item: FeedItem) -> list[dict]:
    cited, seen = [], set()
    for source in item.sources.select_related("channel").order_by("pk"):
        if source.channel_id in seen:
            continue
        seen.add(source.channel_id)
        cited.append({"title": source.channel.name, "url": item.link or source.url})
    return cited


def draft_for(item: FeedItem) -> services.Draft:
    sources = _cited_sources(item)
    lines = [_markdown_text(item.summary)] if item.summary else []
    for cited in sources:
        link = f"[{_markdown_text(cited['title'])}]({_link_target(cited['url'])})"
        lines.append(_("Source: %(source)s") % {"source": link})
    return services.Draft(
        title=item.title,
        summary=item.summary,
        body_markdown="\n\n".join(lines),
        sources=sources,
    )


@transaction.atomic
def approve(item: FeedItem, *, actor) -> Bulletin:
    """Take a waiting item as a bulletin draft, citing where it came from; the editor then
    reviews and publishes the draft."""
    item = _pending(item)
    bulletin = services.create_draft(draft_for(item), actor=actor)
    item.status, item.bulletin = ItemStatus.APPROVED, bulletin
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["status", "bulletin", "reviewed_by", "reviewed_at"])
    return bulletin


@transaction.atomic
def reject(item: FeedItem, *, actor) -> FeedItem:
    item = _pending(item)
    item.status = ItemStatus.REJECTED
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return item
