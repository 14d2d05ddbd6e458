"""Names people read for the codes the custody log and the verifier store."""

from django.utils.translation import gettext_lazy as _

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.reports.links import PLATFORM_NAMES

ACTIONS = {
    "case_opened": _("Case opened"),
    "report_received": _("Report received"),
    "report_joined": _("Report joined the case"),
    "evidence_added": _("Evidence stored"),
    "page_captured": _("Web page captured"),
    "capture_failed": _("Web page could not be captured"),
    "capture_refused": _("Web page refused (an address that is not safe to fetch)"),
    "case_merged_in": _("Another case merged into this one"),
    "case_merged_into": _("Merged into another case"),
    "report_split": _("Report split off into a new case"),
    "report_split_from": _("Report split off from another case"),
    "state_changed": _("State changed"),
    "assigned": _("Assigned"),
    "priority_set": _("Priority set"),
    "commented": _("Internal comment"),
    "decided": _("Decision recorded"),
    "referred": _("Referred"),
    "referral_updated": _("The body updated the referral"),
    "rebuttal_published": _("Verified information published"),
    "rebuttal_updated": _("Verified information updated"),
    "rebuttal_withdrawn": _("Verified information withdrawn"),
    "contacts_erased": _("Reporters' contacts erased (retention period over)"),
}
SYSTEM = _("System")


def action(code: str) -> str:
    return str(ACTIONS.get(code, code))


def actor(label: str) -> str:
    """``user:<id>:<username>`` as the username; ``system`` as "System"."""
    if label == "system":
        return str(SYSTEM)
    if label.startswith("user:"):
        return label.split(":", 2)[-1]
    return label


def link_verdict(code: str) -> str:
    return str(VERDICT_LABELS.get(code, VERDICT_LABELS.get("unknown", code)))


def platform(code: str) -> str:
    return str(PLATFORM_NAMES.get(code, code))


def state(code: str) -> str:
    from chinhthong.reports.models import State

    return str(State(code).label) if code in State.values else code


def verdict(code: str) -> str:
    from chinhthong.reports.models import Verdict

    return str(Verdict(code).label) if code in Verdict.values else code
