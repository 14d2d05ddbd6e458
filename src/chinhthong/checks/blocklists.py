"""Importing, fetching, expiring and removing blocklist entries. A feed is read and
validated whole before anything is written; then one transaction applies it."""

import csv
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.checks.models import BlocklistEntry, BlocklistSource, BlocklistState
from chinhthong.config import outbound
from chinhthong.config.validators import (
    PORT_OUT_OF_RANGE,
    field_problems,
    without_control_characters,
)
from chinhthong.verify import feeds

log = logging.getLogger(__name__)

BATCH = 5_000
MAX_FEED_BYTES = 200 * 1024 * 1024
# A large feed may take minutes in all; 30 s without data ends it.
FETCH_SECONDS = 15 * 60


class BlocklistError(Exception):
    """A feed that cannot be used; the message says why, for the operator."""


@dataclass
class ImportSummary:
    source: str
    added: int = 0
    kept: int = 0
    removed: int = 0
    skipped: list[feeds.BadLine] = field(default_factory=list)


def read_feed(
    data: bytes, fmt: str, *, skip_invalid: bool
) -> tuple[list[feeds.Entry], list[feeds.BadLine]]:
    entries, bad = [], []
    try:
        for item in feeds.read(data, fmt):
            (entries if isinstance(item, feeds.Entry) else bad).append(item)
    # Malformed JSON or CSV; a CSV field past csv's size limit; JSON nested thousands deep.
    except (ValueError, csv.Error, RecursionError) as exc:
        raise BlocklistError(
            _("The feed cannot be read as %(format)s: %(error)s") % {"format": fmt, "error": exc}
        ) from exc
    if bad and not skip_invalid:
        shown = "; ".join(
            _("line %(line)s: %(text)s") % {"line": b.line, "text": b.text} for b in bad[:10]
        )
        raise BlocklistError(
            _("%(count)s lines are neither a link nor a domain, so nothing was imported: %(lines)s")
            % {"count": len(bad), "lines": shown}
        )
    if not entries:
        raise BlocklistError(_("The feed holds no usable entry."))
    return entries, bad


def import_entries(
    source: BlocklistSource, entries: list[feeds.Entry], *, replace: bool
) -> ImportSummary:
    """Add ``entries`` to ``source``; with ``replace`` the source's entries not in the feed are
    removed (a feed is the full current list). Dates of entries already present are kept."""
    now = timezone.now()
    expires = now + dt.timedelta(days=source.keep_days) if source.keep_days else None
    wanted = {(e.kind, e.value) for e in entries}
    summary = ImportSummary(source.name)
    with transaction.atomic():
        existing = dict(
            ((kind, value), pk)
            for pk, kind, value in BlocklistEntry.objects.filter(source=source)
            .values_list("pk", "kind", "value")
            .iterator(chunk_size=BATCH)
        )
        new = [key for key in wanted if key not in existing]
        kept = [existing[key] for key in wanted if key in existing]
        for start in range(0, len(kept), BATCH):
            BlocklistEntry.objects.filter(pk__in=kept[start : start + BATCH]).update(
                last_seen_at=now, expires_at=expires
            )
        BlocklistEntry.objects.bulk_create(
            (
                BlocklistEntry(
                    source=source,
                    kind=kind,
                    value=value,
                    added_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
                for kind, value in new
            ),
            batch_size=BATCH,
        )
        if replace:
            gone = [pk for key, pk in existing.items() if key not in wanted]
            for start in range(0, len(gone), BATCH):
                BlocklistEntry.objects.filter(pk__in=gone[start : start + BATCH]).delete()
            summary.removed = len(gone)
        summary.added, summary.kept = len(new), len(kept)
        bump_version()
    return summary


def bump_version() -> None:
    updated = BlocklistState.objects.update(version=F("version") + 1)
    if not updated:
        BlocklistState.objects.create(version=1)


def source_named(name: str, fmt: str = "plain", url: str = "") -> BlocklistSource:
    """The source called ``name``, made if new; the name is checked as the back office checks
    it, before any query (PostgreSQL refuses a NUL in a query)."""
    _check(BlocklistSource(name=name, format=fmt, url=url))
    source, _created = BlocklistSource.objects.get_or_create(
        name=name, defaults={"format": fmt, "url": url}
    )
    return source


def register_feed(
    name: str, url: str, fmt: str, *, every_minutes: int = 360, keep_days: int | None = 30
) -> BlocklistSource:
    """Add or change a feed fetched on schedule, checked as the back office checks it (its
    address's port included): a feed that can never be fetched is refused now, not at 3 a.m."""
    values = {
        "url": url,
        "format": fmt,
        "fetch_every_minutes": every_minutes,
        "keep_days": keep_days,
    }
    _check(BlocklistSource(name=name, **values))
    source, _created = BlocklistSource.objects.update_or_create(name=name, defaults=values)
    return source


def _check(source: BlocklistSource) -> None:
    try:
        source.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise BlocklistError(field_problems(exc, BlocklistSource)) from exc


def import_file(
    data: bytes, fmt: str, source_name: str, *, replace: bool = False, skip_invalid: bool = False
) -> ImportSummary:
    entries, bad = read_feed(data, fmt, skip_invalid=skip_invalid)
    summary = import_entries(source_named(source_name, fmt), entries, replace=replace)
    summary.skipped = bad
    return summary


def remove(value: str, source_name: str | None = None) -> int:
    entry = feeds.entry_for(value)
    if entry is None:
        raise BlocklistError(_("“%(value)s” is neither a link nor a domain.") % {"value": value})
    entries = BlocklistEntry.objects.filter(kind=entry.kind, value=entry.value)
    if source_name:
        entries = entries.filter(source__name=source_name)
    with transaction.atomic():
        count, _details = entries.delete()
        if count:
            bump_version()
    return count


def expire(now: dt.datetime | None = None) -> int:
    with transaction.atomic():
        count, _details = BlocklistEntry.objects.filter(
            expires_at__lte=now or timezone.now()
        ).delete()
        if count:
            bump_version()
    return count


# --- fetching feeds ---------------------------------------------------------------------------
def fetch(source: BlocklistSource) -> ImportSummary:
    """Download a source's feed and replace its entries. Whatever stops it, the reason is kept
    on the source and raised as BlocklistError, so one broken feed never stops the others."""
    try:
        data = download(source.url)
        entries, bad = read_feed(data, source.format, skip_invalid=True)
        if len(bad) > len(entries):
            raise BlocklistError(_("Most lines of the feed are unusable; it was not applied."))
        summary = import_entries(source, entries, replace=True)
        summary.skipped = bad
        source.last_error = ""
        return summary
    except BlocklistError as exc:
        source.last_error = without_control_characters(str(exc), multi_line=True)
        raise
    except Exception as exc:
        log.exception("blocklist %s: the fetch failed", source.name)
        message = _(
            "The fetch failed unexpectedly (%(error)s); the server log has the details."
        ) % {"error": f"{type(exc).__name__}: {exc}"}
        source.last_error = without_control_characters(message, multi_line=True)
        raise BlocklistError(message) from exc
    finally:
        source.last_fetched_at = timezone.now()
        source.save(update_fields=["last_fetched_at", "last_error"])


def due_sources(now: dt.datetime | None = None) -> list[BlocklistSource]:
    now = now or timezone.now()
    due = []
    for source in BlocklistSource.objects.filter(enabled=True).exclude(url=""):
        if source.last_fetched_at is None or now - source.last_fetched_at >= dt.timedelta(
            minutes=source.fetch_every_minutes
        ):
            due.append(source)
    return due


def download(url: str) -> bytes:
    """GET a feed over http(s) through the shared outbound fetch (config/outbound.py): private
    addresses refused, the vetted address pinned. No redirect is followed (an operator
    registers the feed's final address; a redirect is reported with its status)."""
    try:
        answer = outbound.fetch(
            url,
            max_bytes=MAX_FEED_BYTES,
            seconds=FETCH_SECONDS,
            idle_seconds=30,
            max_redirects=0,
        )
    except outbound.FetchError as exc:
        raise BlocklistError(_feed_message(exc, url)) from exc
    if answer.status != 200:
        raise BlocklistError(_("The feed answered HTTP %(status)s.") % {"status": answer.status})
    return answer.body


def _feed_message(exc: outbound.FetchError, url: str) -> str:
    """The outbound fetch's refusal, in the words the blocklist's operators know."""
    params = exc.params
    if exc.code == "invalid_url":
        return _("The feed address must be an http or https link.")
    if exc.code == "port_invalid":
        return str(PORT_OUT_OF_RANGE) % {"value": params.get("url", url)}
    if exc.code == "unresolvable":
        return _("The feed's host %(host)s does not resolve.") % {"host": params["host"]}
    if exc.code == "private_address":
        return _(
            "The feed's host %(host)s is a private or local address (%(address)s); "
            "it is not fetched."
        ) % {"host": params["host"], "address": params["address"]}
    if exc.code == "too_large":
        return _("The feed is larger than %(mb)s MB.") % {"mb": MAX_FEED_BYTES // 2**20}
    if exc.code == "unreachable":
        return _("The feed could not be downloaded: %(error)s") % {"error": params["error"]}
    return str(exc)
