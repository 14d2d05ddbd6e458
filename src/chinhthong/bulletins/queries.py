"""What the public side reads of bulletins: the published ones, their signed versions and what
changed between them, the list with its search, and the forward check. The public pages, the
feeds, the CAP alerts and the staff portal share these.

Only published bulletins are public, and of those only the signed versions (a version
corrected before publication was never published). The list's search and the forward check
run over an in-process index of the published versions, rebuilt when they change: a cheap
query (the newest version, the number of them, the newest change of a bulletin) says so, as
the verification engine learns of a new snapshot (checks/engines.py).
"""

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from chinhthong.bulletins import attachments, diffs, forwards, services
from chinhthong.bulletins.models import Bulletin, BulletinVersion, Status
from chinhthong.config.refusals import NotFound
from chinhthong.verify.text import fold

log = logging.getLogger(__name__)
# What a word loses to be searched: its punctuation ("0203.3835.444" is searched as one word).
_PUNCTUATION = re.compile(r"[^\w\s]|_")
PAGE_SIZE = 20
FEED_SIZE = 30
MAX_CHECKED_LINKS = 20


# --- published bulletins --------------------------------------------------------------------
def published():
    return Bulletin.objects.filter(status=Status.PUBLISHED, published_at__isnull=False)


def public_versions():
    """Signed versions of published bulletins."""
    return BulletinVersion.objects.filter(
        bulletin__status=Status.PUBLISHED, bulletin__published_at__isnull=False
    ).exclude(signature="")


def published_on(bulletin: Bulletin, version: BulletinVersion):
    """When ``version`` became public: the publication for the version published then, the
    correction's time for a later one."""
    if bulletin.published_at is None:
        return version.created_at
    return max(version.created_at, bulletin.published_at)


def public_url(path: str) -> str:
    """``path`` on the address residents reach the site at (PUBLIC_URL)."""
    return settings.PUBLIC_URL + path


def page_url(bulletin) -> str:
    slug = bulletin if isinstance(bulletin, str) else bulletin.slug
    return public_url(reverse("bulletins:detail", kwargs={"slug": slug}))


def share_url(bulletin, share_code: str) -> str:
    """The public page's address in a staff member's share: visits through it are counted for
    them (reach.events.record_share_visit), nothing about the visitor."""
    return f"{page_url(bulletin)}?s={share_code}"


@dataclass
class VersionView:
    version: BulletinVersion
    published_at: object
    changes: diffs.VersionChanges | None  # from the version before (None for the first)

    @property
    def number(self) -> int:
        return self.version.number


@dataclass
class BulletinPage:
    bulletin: Bulletin
    latest: BulletinVersion
    versions: list[VersionView]  # newest first
    attachments: list = field(default_factory=list)  # (attachment, its address)

    @property
    def corrected_at(self):
        return self.versions[0].published_at if len(self.versions) > 1 else None


def published_bulletin(slug: str) -> Bulletin:
    bulletin = published().filter(slug=slug).first()
    if bulletin is None:
        raise NotFound(_("There is no published bulletin at this address."), code="not_found")
    return bulletin


def bulletin_page(slug: str) -> BulletinPage:
    """The public page's content; NotFound for a bulletin that is not published."""
    bulletin = published_bulletin(slug)
    versions = list(bulletin.versions.exclude(signature="").order_by("number"))
    if not versions:
        raise NotFound(_("There is no published bulletin at this address."), code="not_found")
    views, before = [], None
    for version in versions:
        changes = diffs.version_changes(before, version) if before is not None else None
        views.append(VersionView(version, published_on(bulletin, version), changes))
        before = version
    files = [
        (found, services.attachment_url(found))
        for found in attachments.public_files()
        .filter(bulletin=bulletin)
        .defer("data")
        .order_by("created_at", "pk")
    ]
    return BulletinPage(bulletin, versions[-1], views[::-1], files)


def public_version(slug: str, number: int) -> BulletinVersion:
    bulletin = published_bulletin(slug)
    version = bulletin.versions.exclude(signature="").filter(number=number).first()
    if version is None:
        raise NotFound(_("This bulletin has no such version."), code="not_found")
    return version


def latest_for_feed(*, urgent_only: bool = False, limit: int = FEED_SIZE) -> list[BulletinPage]:
    """The newest published bulletins with their signed versions (for feeds and alerts)."""
    found = published().order_by("-published_at", "-pk")
    if urgent_only:
        found = found.filter(urgency="urgent")
    pages = []
    for bulletin in found[:limit]:
        versions = list(bulletin.versions.exclude(signature="").order_by("number"))
        if versions:
            views = [VersionView(v, published_on(bulletin, v), None) for v in versions]
            pages.append(BulletinPage(bulletin, versions[-1], views[::-1]))
    return pages


# --- the index: the list's search and the forward check -------------------------------------
@dataclass(frozen=True)
class Entry:
    """A published bulletin in the list, as its latest signed version says."""

    bulletin_id: int
    slug: str
    title: str
    summary: str
    tags: tuple
    urgency: str
    published_at: object
    updated_at: object
    versions: int
    lower: str  # " word word … ": its words lowercase, with their diacritics
    folded: str  # the same without diacritics

    @property
    def corrected(self) -> bool:
        return self.versions > 1


class Index:
    def __init__(
        self,
        entries: list[Entry],
        forward_index: forwards.ForwardIndex,
        version_ids: frozenset = frozenset(),
        history_id: int = 0,
    ):
        self.entries = entries  # newest first
        self.forwards = forward_index
        self.version_ids = version_ids  # the public versions it holds
        self.history_id = history_id  # the last change of a published bulletin it knows

    def tags(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            for tag in entry.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], fold(item[0])))


_lock = threading.Lock()
_state: dict = {"key": None, "index": None}


def _version_key() -> tuple:
    """Changes with every publication and correction, and any change recorded of a published
    bulletin — not with the editing of drafts (times as well as ids: a database restored from a
    backup may hand out an id again)."""
    versions = public_versions().aggregate(last=Max("id"), count=Count("id"), at=Max("created_at"))
    changed = Bulletin.history.filter(status=Status.PUBLISHED).aggregate(
        last=Max("history_id"), at=Max("history_date")
    )
    return (*versions.values(), *changed.values())


def current_index() -> Index:
    key = _version_key()
    with _lock:
        if _state["index"] is None:
            _state["index"], _state["key"] = build_index(), key
        elif _state["key"] != key:
            _state["index"], _state["key"] = _updated(_state["index"]), key
        return _state["index"]


def reset_index() -> None:
    with _lock:
        _state.update(key=None, index=None)


_FIELDS = (
    "id",
    "bulletin_id",
    "bulletin__slug",
    "number",
    "title",
    "summary",
    "body_html",
    "sources",
    "created_at",
    "bulletin__published_at",
    "bulletin__tags",
    "bulletin__urgency",
)


def _rows(**filters) -> dict[int, list]:
    """The public versions' rows (of the bulletins ``filters`` choose), by bulletin."""
    rows = public_versions().filter(**filters).values_list(*_FIELDS, named=True)
    by_bulletin: dict[int, list] = {}
    for row in rows.order_by("bulletin_id", "number").iterator(chunk_size=500):
        by_bulletin.setdefault(row.bulletin_id, []).append(row)
    return by_bulletin


def _last_history() -> int:
    changes = Bulletin.history.filter(status=Status.PUBLISHED)
    return changes.aggregate(last=Max("history_id"))["last"] or 0


def build_index() -> Index:
    history = _last_history()
    by_bulletin = _rows()
    entries, texts = _parts(by_bulletin)
    entries.sort(key=lambda e: (e.published_at, e.bulletin_id), reverse=True)
    ids = frozenset(row.id for rows in by_bulletin.values() for row in rows)
    return Index(entries, forwards.ForwardIndex(texts), ids, history)


def _updated(index: Index) -> Index:
    """``index`` with what was published since it was built. New versions alone (a
    publication, a correction) are added to a copy of it; anything else (a version no longer
    public, another change of a published bulletin) rebuilds it."""
    ids = frozenset(public_versions().values_list("id", flat=True))
    added = ids - index.version_ids
    if not added or not ids >= index.version_ids:
        return build_index()
    history = _last_history()
    affected = set(public_versions().filter(id__in=added).values_list("bulletin_id", flat=True))
    changed = Bulletin.history.filter(
        status=Status.PUBLISHED, history_id__gt=index.history_id
    ).values_list("id", flat=True)
    if not set(changed) <= affected:
        return build_index()
    fresh, texts = _parts(_rows(bulletin_id__in=affected))
    entries = [e for e in index.entries if e.bulletin_id not in affected] + fresh
    entries.sort(key=lambda e: (e.published_at, e.bulletin_id), reverse=True)
    return Index(entries, index.forwards.with_bulletins(texts), ids, history)


def _parts(by_bulletin: dict[int, list]) -> tuple[list[Entry], list[forwards.VersionText]]:
    """The list's entries and the forward check's texts of these bulletins."""
    entries, texts = [], []
    for rows_of in by_bulletin.values():
        last = rows_of[-1]
        links = frozenset(_link_keys(rows_of, last.bulletin__slug))
        for row in rows_of:
            text = forwards.version_text(row.title, row.summary, row.body_html)
            texts.append(
                forwards.VersionText(
                    row.bulletin_id, row.bulletin__slug, row.number, row.title, text, None, links
                )
            )
        entries.append(_entry(last, text, last.bulletin__published_at, len(rows_of)))
    return entries, texts


def _entry(row, text: str, published_at, versions: int) -> Entry:
    tags = row.bulletin__tags or []
    words = " ".join([text, *tags])
    lower = _PUNCTUATION.sub("", unicodedata.normalize("NFC", words).lower())
    folded = _PUNCTUATION.sub("", diffs.fold_text(words))
    return Entry(
        bulletin_id=row.bulletin_id,
        slug=row.bulletin__slug,
        title=row.title,
        summary=row.summary,
        tags=tuple(tags),
        urgency=row.bulletin__urgency,
        published_at=published_at,
        updated_at=max(row.created_at, published_at) if published_at else row.created_at,
        versions=versions,
        lower=f" {' '.join(lower.split())} ",
        folded=f" {' '.join(folded.split())} ",
    )


def _link_keys(rows, slug: str):
    yield "link " + diffs.link_key(page_url(slug))
    for row in rows:
        cited = [s.get("url", "") for s in row.sources or [] if isinstance(s, dict)]
        for address in diffs.links(row.body_html) + cited:
            key = diffs.link_key(address or "")
            if key:
                yield "link " + key


# --- the list --------------------------------------------------------------------------------
@dataclass
class Listing:
    page: Page
    query: str
    tag: str
    tags: list[tuple[str, int]]
    ignored_diacritics: bool = False  # nothing matched as typed; matched without diacritics

    @property
    def count(self) -> int:
        return self.page.paginator.count


def listing(query: str = "", tag: str = "", page: int | str = 1) -> Listing:
    """Published bulletins, newest first, ``PAGE_SIZE`` a page: those with ``tag``, and with
    every word of ``query`` (a word typed without diacritics matches it with any; one typed
    with them, only as typed — unless nothing does, then without)."""
    index = current_index()
    entries = index.entries
    if tag:
        wanted = fold(tag)
        entries = [e for e in entries if any(fold(t) == wanted for t in e.tags)]
    words = _query_words(query)
    ignored = False
    if words:
        found = [e for e in entries if all(_has(e, w, strict=True) for w in words)]
        if not found:
            found = [e for e in entries if all(_has(e, w, strict=False) for w in words)]
            ignored = bool(found) and any(not w[1].isascii() for w in words)
        entries = found
    paginator = Paginator(entries, PAGE_SIZE, allow_empty_first_page=True)
    return Listing(paginator.get_page(page), query.strip(), tag, index.tags(), ignored)


def _query_words(query: str) -> list[tuple[str, str]]:
    """(without diacritics, as typed) for each word of the query, lowercase."""
    found = []
    for word in query.split()[:20]:
        lower = "".join(ch for ch in unicodedata.normalize("NFC", word.lower()) if ch.isalnum())
        if lower:
            found.append((diffs.normal_form(lower), lower))
    return found


def _has(entry: Entry, word: tuple[str, str], *, strict: bool) -> bool:
    folded, typed = word
    if strict and typed != folded:
        return f" {typed} " in entry.lower
    return f" {folded} " in entry.folded


# --- "Có phải bản tin thật?" -----------------------------------------------------------------
@dataclass
class LinkVerdict:
    link: str
    result: object  # verify.results.Result
    label: str
    reasons: list[str]


@dataclass
class ForwardReport:
    analysis: forwards.Analysis
    links: list[LinkVerdict]  # the links to be wary of, with the verifier's verdicts

    @property
    def match(self):
        return self.analysis.match


def check_forward(text: str) -> ForwardReport:
    """Find the bulletin and version ``text`` came from; the links it has that the bulletin
    does not (every link, when it matches none) go through the verifier, as on the check page."""
    from chinhthong.checks import services as checks

    analysis = forwards.analyse(text, current_index().forwards)
    suspect = analysis.match.new_links if analysis.match else analysis.links
    verdicts = []
    for link in suspect[:MAX_CHECKED_LINKS]:
        try:
            result = checks.check(link)
        except checks.InputRejected:
            continue
        verdicts.append(
            LinkVerdict(
                link,
                result,
                str(checks.VERDICT_LABELS[str(result.verdict)]),
                [checks.render_reason(r) for r in result.reasons],
            )
        )
    return ForwardReport(analysis, verdicts)
