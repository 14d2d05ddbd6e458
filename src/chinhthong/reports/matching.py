"""Where a new report belongs: the case it joins on its own, or one to suggest to handlers.

A report joins a case on its own when it points at the same post (the same canonical link) or
carries the same screenshot (perceptual hashes at most evidence.NEAR_BITS apart), or says the
same (textmatch.py: a score of settings.REPORT_JOIN_SCORE or more against a claim of an open
case; never for a claim of fewer than settings.REPORT_SHORT_WORDS words). Below that, down to
settings.REPORT_SUGGEST_SCORE, the closest case is suggested to handlers. Closed and rejected
cases are never joined: a claim that comes back is a new case, with the old one suggested.

`related(case)` lists the other cases and the published bulletins that address its claim, for
the case page.
"""

from dataclasses import dataclass

from django.conf import settings

from chinhthong.reports import evidence, textmatch, textnorm
from chinhthong.reports.models import AWAITING_DECISION, Case, Evidence, ReportLink, State

# Cases a new report may join on its own.
# A screenshot's hash with fewer 1-bits (or 0-bits) than this says too little to join on.
MIN_HASH_BITS = 12
OPEN_STATES = (*AWAITING_DECISION, State.DECIDED, State.REFERRED)


@dataclass
class Placement:
    case: Case | None = None  # joined on its own
    reason: str = ""  # "link", "screenshot", "text"
    suggestion: Case | None = None
    suggestion_score: float | None = None


def place(*, claim: str, canonical_urls: list[str], phashes: list[str]) -> Placement:
    by_link = _same_post(canonical_urls)
    if by_link is not None:
        if by_link.state in OPEN_STATES:
            return Placement(case=by_link, reason="link")
        return Placement(suggestion=by_link, suggestion_score=1.0)
    by_picture = _same_screenshot(phashes)
    if by_picture is not None:
        # A picture alike is evidence, not proof, of the same claim: it joins only a case not
        # yet decided, whose handlers will see it; a decided or referred one is suggested.
        if by_picture.state in AWAITING_DECISION:
            return Placement(case=by_picture, reason="screenshot")
        return Placement(suggestion=by_picture, suggestion_score=1.0)
    return by_text(claim)


def by_text(claim: str) -> Placement:
    """The open case whose claims say the same as ``claim`` (joined), or the closest case
    (suggested)."""
    if not claim.strip():
        return Placement()
    floor = settings.REPORT_SUGGEST_SCORE
    hits = textmatch.search(claim, kinds=("case",), limit=10, floor=floor)
    if not hits:
        return Placement()
    cases = Case.objects.in_bulk([hit.id for hit in hits])
    found = [(hit.score, cases[hit.id]) for hit in hits if hit.id in cases]
    if not found:
        return Placement()
    long_enough = textnorm.word_count(claim) >= settings.REPORT_SHORT_WORDS
    for score, case in found:
        if score >= settings.REPORT_JOIN_SCORE and long_enough and case.state in OPEN_STATES:
            return Placement(case=case, reason="text")
    score, case = found[0]
    return Placement(suggestion=case, suggestion_score=score)


@dataclass
class Related:
    kind: str  # "case", "bulletin"
    item: object  # the Case or the Bulletin
    score: float


def related(case: Case, limit: int = 5) -> list[Related]:
    """Other cases and published bulletins that address ``case``'s claim (its title and its
    reports' claims), closest first, each scoring at least settings.REPORT_SUGGEST_SCORE."""
    from chinhthong.bulletins.queries import published

    latest = case.reports.order_by("-received_at").values_list("claim", flat=True)[:5]
    claims = [case.title, *latest]
    hits = textmatch.search(
        list(dict.fromkeys(c for c in claims if c)),
        limit=limit,
        floor=settings.REPORT_SUGGEST_SCORE,
        exclude_case=case.pk,
    )
    cases = Case.objects.in_bulk([h.id for h in hits if h.kind == "case"])
    bulletins = published().in_bulk([h.id for h in hits if h.kind == "bulletin"])
    out = []
    for hit in hits:
        item = (cases if hit.kind == "case" else bulletins).get(hit.id)
        if item is not None:
            out.append(Related(hit.kind, item, hit.score))
    return out


def _same_post(canonical_urls: list[str]) -> Case | None:
    if not canonical_urls:
        return None
    link = (
        ReportLink.objects.filter(canonical_url__in=canonical_urls)
        .select_related("report__case")
        .order_by("-report__received_at")
        .first()
    )
    return link.report.case if link else None


def _distinctive(phash: str) -> bool:
    """A hash with enough detail to tell pictures apart: a flat or nearly flat picture (a
    colour, a blank page) hashes to almost all zeros or ones, alike for any such picture."""
    ones = bin(int(phash, 16)).count("1")
    return MIN_HASH_BITS <= ones <= 64 - MIN_HASH_BITS


def _same_screenshot(phashes: list[str]) -> Case | None:
    phashes = [p for p in phashes if p and _distinctive(p)]
    if not phashes:
        return None
    # Exact hashes through the index first; near ones by comparing against the recent pictures.
    exact = Evidence.objects.filter(phash__in=phashes).select_related("case").first()
    if exact is not None:
        return exact.case
    recent = Evidence.objects.exclude(phash="").order_by("-pk").values_list("phash", "case_id")
    for stored, case_id in recent[:5000]:
        if any(evidence.near(stored, mine) for mine in phashes):
            return Case.objects.get(pk=case_id)
    return None
