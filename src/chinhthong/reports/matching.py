"""Where a new report belongs: the case it joins on its own, or one to suggest to handlers.

A report joins a case on its own when it points at the same post (the same canonical link) or
carries the same screenshot (perceptual hashes at most evidence.NEAR_BITS apart). Closed and
rejected cases are never joined: a claim that comes back is a new case, with the old one
suggested.
"""

from dataclasses import dataclass

from chinhthong.reports import evidence
from chinhthong.reports.models import Case, Evidence, ReportLink, State

# Cases a new report may join on its own.
OPEN_STATES = (State.NEW, State.TRIAGE, State.INVESTIGATING, State.DECIDED, State.REFERRED)


@dataclass
class Placement:
    case: Case | None = None  # joined on its own
    reason: str = ""  # "link", "screenshot"
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
        if by_picture.state in OPEN_STATES:
            return Placement(case=by_picture, reason="screenshot")
        return Placement(suggestion=by_picture, suggestion_score=1.0)
    return Placement()


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


def _same_screenshot(phashes: list[str]) -> Case | None:
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
