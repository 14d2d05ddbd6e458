"""The public rebuttal of a decided case, "Thông tin đã xác minh" (letter 365: rebut promptly):
publishing and withdrawing it (services), and what the public pages read of it (queries) — the
list with its search, one rebuttal's page with its schema.org ClaimReview, and the rebuttals a
bulletin answers.

A rebuttal is public while its case has ``published_at`` set; its address (``rebuttal_slug``)
is kept when it is withdrawn, so publishing it again gives it back the same address. Nothing
about reporters is read here: the pages show the case's claim (worded by handlers), its
verdict and finding, the rebuttal, and the links where the claim appeared.
"""

import hashlib
import json
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chinhthong.bulletins import queries as bulletin_queries
from chinhthong.bulletins import rendering
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.config.validators import validate_multi_line, validate_one_line
from chinhthong.reports import custody
from chinhthong.reports.models import Case, ReportLink, State, Verdict
from chinhthong.verify.text import fold

# A case may be published once decided, and stays publishable while it is referred or closed.
DECIDED_STATES = (State.DECIDED, State.REFERRED, State.CLOSED)
MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 20_000
PAGE_SIZE = 20
MAX_APPEARANCES = 20
# ClaimReview's rating, 1 (worst) to 5 (best): how true the claim is; its label says it in words.
RATINGS = {
    Verdict.FABRICATED: 1,
    Verdict.FALSE: 2,
    Verdict.UNVERIFIABLE: 3,
    Verdict.TRUE: 5,
}
_PUNCTUATION = re.compile(r"[^\w\s]|_")


# --- services --------------------------------------------------------------------------------
def is_decided(case: Case) -> bool:
    return case.state in DECIDED_STATES and bool(case.verdict)


def _one_line(value: str, *, code: str, empty: str, too_long: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise Refused(empty, code=code)
    if len(text) > MAX_TITLE_CHARS:
        raise Refused(too_long % {"n": MAX_TITLE_CHARS}, code=code)
    try:
        validate_one_line(text)
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages), code=code) from None
    return text


def _clean_text(value: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise Refused(_("Write the rebuttal."), code="rebuttal_text")
    if len(text) > MAX_TEXT_CHARS:
        raise Refused(
            _("The rebuttal is longer than %(n)s characters.") % {"n": MAX_TEXT_CHARS},
            code="rebuttal_text",
        )
    try:
        validate_multi_line(text)
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages), code="rebuttal_text") from None
    return text


def _answering_bulletins(bulletins) -> list:
    """The published bulletins given (objects, ids or slugs); Refused naming one that is not."""
    found = []
    published = bulletin_queries.published()
    for item in bulletins:
        if hasattr(item, "pk"):
            bulletin = published.filter(pk=item.pk).first()
        elif isinstance(item, int):
            bulletin = published.filter(pk=item).first()
        else:
            bulletin = published.filter(slug=str(item)).first()
        if bulletin is None:
            raise Refused(
                _("Bulletin %(which)s is not published: only published bulletins may be linked.")
                % {"which": getattr(item, "slug", item)},
                code="bulletin_not_published",
            )
        if bulletin not in found:
            found.append(bulletin)
    return found


def _unique_slug(title: str, case: Case) -> str:
    base = slugify(fold(title))[:100].strip("-") or "thong-tin"
    slug, n = base, 1
    while Case.objects.filter(rebuttal_slug=slug).exclude(pk=case.pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def publish_rebuttal(
    case: Case, *, actor, title: str, text: str, bulletins=(), claim: str | None = None
) -> Case:
    """Publish (or, when it is public already, update) the rebuttal of a decided case: its
    title, text (Markdown, sanitised when shown) and the published bulletins that answer the
    claim; ``claim`` rewords the case's claim as the page quotes it. Reporters who asked to be
    told are told on commit (outcome_messages.tell_reporters). Refused for a case not decided."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not is_decided(case):
        raise Refused(
            _("Only a decided case, with its verdict, can be published as verified information."),
            code="not_decided",
            status=409,
        )
    title = _one_line(
        title,
        code="rebuttal_title",
        empty=_("Give the rebuttal a title."),
        too_long=_("The title is longer than %(n)s characters."),
    )
    text = _clean_text(text)
    answering = _answering_bulletins(bulletins)
    detail: dict = {}
    if claim is not None:
        worded = _one_line(
            claim,
            code="claim",
            empty=_("Give the claim as the page should quote it."),
            too_long=_("The claim is longer than %(n)s characters."),
        )
        if worded != case.title:
            detail["claim"] = {"from": case.title, "to": worded}
            case.title = worded
    updating = case.published_at is not None
    if not case.rebuttal_slug:
        case.rebuttal_slug = _unique_slug(title, case)
    case.rebuttal_title, case.rebuttal_text = title, text
    if not updating:
        case.published_at = timezone.now()
    case.save()
    case.bulletins.set(answering)
    detail.update(
        slug=case.rebuttal_slug,
        title=title,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        verdict=case.verdict,
        bulletins=[b.slug for b in answering],
    )
    custody.append(
        case, "rebuttal_updated" if updating else "rebuttal_published", detail, actor=actor
    )
    if not updating:
        from chinhthong.reports import outcome_messages

        outcome_messages.tell_reporters(case)
    return case


@transaction.atomic
def withdraw_rebuttal(case: Case, *, actor) -> Case:
    """Take the rebuttal off the public site (its page answers 404); its text and address are
    kept, so publishing it again restores it where it was."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.published_at is None:
        raise Refused(_("This case has no published rebuttal."), code="not_published", status=409)
    case.published_at = None
    case.save(update_fields=["published_at", "updated_at"])
    custody.append(case, "rebuttal_withdrawn", {"slug": case.rebuttal_slug}, actor=actor)
    return case


# --- queries ---------------------------------------------------------------------------------
def published():
    """Cases whose rebuttal is public: published, and still decided with a verdict."""
    return Case.objects.filter(
        published_at__isnull=False, rebuttal_slug__isnull=False, state__in=DECIDED_STATES
    ).exclude(verdict="")


def page_url(case: Case) -> str:
    """The rebuttal's public address on the address residents reach the site at."""
    return settings.PUBLIC_URL + reverse("reports:rebuttal", kwargs={"slug": case.rebuttal_slug})


def verdict_label(case: Case) -> str:
    return str(Verdict(case.verdict).label) if case.verdict else ""


def rendered_text(case: Case) -> SafeString:
    """The rebuttal's Markdown as sanitised HTML (raw HTML in it shows as text)."""
    return mark_safe(rendering.render(case.rebuttal_text))  # noqa: S308 — nh3 sanitised it


def answering_bulletins(case: Case) -> list[tuple[str, str]]:
    """(title, address) of the published bulletins that answer the case's claim."""
    found = bulletin_queries.published().filter(cases=case).order_by("-published_at", "-pk")
    return [
        (str(b), reverse("bulletins:detail", kwargs={"slug": b.slug})) for b in found.distinct()
    ]


def rebuttals_for_bulletin(bulletin) -> list[Case]:
    """The published rebuttals a bulletin answers, newest first (for the bulletin's page)."""
    return list(published().filter(bulletins=bulletin).order_by("-published_at", "-pk").distinct())


def appearances(case: Case) -> tuple[list[str], str]:
    """Where the claim appeared, as the page publishes it: the social-network posts of the
    reports the case had when its rebuttal was first published (none that joined it after), by
    their canonical address. Links to other websites are left
    out — a reporter's link is theirs to choose, and the official page must not name a site as a
    source of the claim on a reporter's word alone — and so is the "first appearance", which
    rests on what reporters say they saw when."""
    rows = ReportLink.objects.filter(report__case=case).exclude(canonical_url="")
    rows = rows.exclude(platform__in=("", "web"))
    if case.published_at:
        rows = rows.filter(report__received_at__lte=case.published_at)
    urls: list[str] = []
    for url in rows.order_by("report__received_at", "pk").values_list("canonical_url", flat=True):
        if url not in urls:
            urls.append(url)
    return urls[:MAX_APPEARANCES], ""


def _author(identity) -> dict:
    """The operating agency (the site's identity), or the site's name when none is set."""
    name = identity.display_name or identity.display_site_name
    return {"@type": "Organization", "name": name, "url": identity.website or settings.PUBLIC_URL}


def claim_review(case: Case, identity) -> dict:
    """schema.org ClaimReview of a published rebuttal (read by fact-check aggregators)."""
    urls, first = appearances(case)
    claim: dict = {"@type": "Claim"}
    if urls:
        claim["appearance"] = [{"@type": "CreativeWork", "url": url} for url in urls]
    if first:
        claim["firstAppearance"] = {"@type": "CreativeWork", "url": first}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url(case),
        "headline": case.rebuttal_title,
        "claimReviewed": case.title,
        "datePublished": timezone.localtime(case.published_at).isoformat(timespec="seconds"),
        "inLanguage": "vi",
        "author": _author(identity),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[Verdict(case.verdict)],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict_label(case),
        },
        "itemReviewed": claim,
    }


# As django.utils.html.json_script: "<", ">" and "&" as JSON escapes, so no text inside (a claim
# holding "</script>") can end the script element the data sits in.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """``data`` as the content of a <script type="application/ld+json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_ESCAPES))  # noqa: S308 — escaped just above


@dataclass
class RebuttalPage:
    case: Case
    verdict: str
    rating: int
    text_html: SafeString
    bulletins: list[tuple[str, str]]
    canonical: str


def rebuttal_page(slug: str) -> RebuttalPage:
    """A published rebuttal's page; NotFound for any other address."""
    case = published().filter(rebuttal_slug=slug).first()
    if case is None:
        raise NotFound(_("There is no verified information at this address."), code="not_found")
    return RebuttalPage(
        case=case,
        verdict=verdict_label(case),
        rating=RATINGS[Verdict(case.verdict)],
        text_html=rendered_text(case),
        bulletins=answering_bulletins(case),
        canonical=page_url(case),
    )


# The list's search: every word of the query, as typed with or without diacritics, starts a
# word of the rebuttal's title, claim, finding or text. The folded texts are kept in the process
# and rebuilt when a cheap query says the published rebuttals changed.
_lock = threading.Lock()
_index: dict = {"key": None, "entries": []}


def _words(text: str) -> str:
    return " " + " ".join(_PUNCTUATION.sub(" ", fold(text)).split()) + " "


def _index_key() -> tuple:
    found = published().aggregate(n=Count("pk"), last=Max("pk"), changed=Max("updated_at"))
    return tuple(found.values())


def _search_index() -> list[tuple[int, str]]:
    """(case id, its folded words) of the published rebuttals, newest first."""
    key = _index_key()
    with _lock:
        if _index["key"] != key:
            rows = (
                published()
                .order_by("-published_at", "-pk")
                .values_list("pk", "rebuttal_title", "title", "finding", "rebuttal_text")
            )
            _index["entries"] = [(pk, _words(" ".join(texts))) for pk, *texts in rows.iterator()]
            _index["key"] = key
        return _index["entries"]


def reset_index() -> None:
    with _lock:
        _index.update(key=None, entries=[])


@dataclass
class Listing:
    page: Page
    query: str

    @property
    def count(self) -> int:
        return self.page.paginator.count


def listing(query: str = "", page: int | str = 1) -> Listing:
    """Published rebuttals, newest first, PAGE_SIZE a page; with ``query``, those with every
    one of its words (diacritics or none: "phong toa" finds "phong tỏa")."""
    words = _words(query[:200]).split()[:20]
    if not words:
        found = published().order_by("-published_at", "-pk")
        return Listing(Paginator(found, PAGE_SIZE).get_page(page), "")
    ids = [pk for pk, text in _search_index() if all(f" {w}" in text for w in words)]
    current = Paginator(ids, PAGE_SIZE).get_page(page)
    by_pk = Case.objects.in_bulk(list(current.object_list))
    current.object_list = [by_pk[pk] for pk in current.object_list if pk in by_pk]
    return Listing(current, query.strip())
