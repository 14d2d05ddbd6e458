"""Reads that several edges share: what a reporter may learn of their report by its code."""

from django.utils.translation import gettext_lazy as _

from chinhthong.reports import rebuttals
from chinhthong.reports.models import Report, State, Verdict

# What the public is told of a case's state: the steps a reporter can follow.
PUBLIC_STATUS = {
    State.NEW: ("received", _("Received")),
    State.TRIAGE: ("received", _("Received")),
    State.INVESTIGATING: ("investigating", _("Being verified")),
    State.DECIDED: ("decided", _("Verified")),
    State.REFERRED: ("decided", _("Verified")),
    State.CLOSED: ("decided", _("Verified")),
    State.REJECTED: ("not_actionable", _("Not taken up")),
}


def report_by_code(code: str) -> Report | None:
    if not code:
        return None
    return Report.objects.select_related("case").filter(tracking_code=code).first()


def public_status(report: Report) -> dict:
    """The report's status as its reporter may see it — never anything about other reports."""
    case = report.case
    key, label = PUBLIC_STATUS[State(case.state)]
    if case.state == State.CLOSED and not case.verdict:
        key, label = "closed", _("Closed")
    verdict = Verdict(case.verdict) if key == "decided" and case.verdict else None
    published = rebuttals.published().filter(pk=case.pk).exists()
    return {
        "tracking_code": report.tracking_code,
        "received_at": report.received_at,
        "status": key,
        "status_label": str(label),
        "verdict": verdict.value if verdict else None,
        "verdict_label": str(verdict.label) if verdict else None,
        "finding": case.finding if verdict else "",
        "rebuttal_url": rebuttals.page_url(case) if published else None,
        "rebuttal_title": case.rebuttal_title if published else "",
    }
