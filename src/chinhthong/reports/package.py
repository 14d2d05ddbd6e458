"""The referral package of a case: a PDF summary in Vietnamese for the body it is referred to,
and a ZIP of the evidence exactly as received with a manifest of hashes.

The PDF (WeasyPrint, set in Noto Sans from Debian's fonts-noto-core, which writes Vietnamese)
holds the case, the claim, the reported links with the verifier's verdicts and the captures of
the pages, the reports, the evidence with SHA-256 and sizes, the verdict and finding, the
custody log and its signed head. It is an official document for Vietnamese bodies: its fixed
text is Vietnamese whatever the reader's language. The reporters' identity and contact are in
it only when settings.REFERRAL_INCLUDES_CONTACT says so (docs/privacy.md).

The ZIP holds every evidence file's original bytes (read through evidence.read, which refuses
a file changed on disk), the PDF, manifest.json and manifest-sha256.txt (the format of
``sha256sum``, so ``sha256sum -c manifest-sha256.txt`` checks an unpacked copy).

The package of a referral is reproducible: built at any later time it is the package as sent,
byte for byte, so its ZIP's SHA-256 is Referral.package_sha256 (and the "referred" custody
entry's zip_sha256) on every download. It is built from the case as it stood at
``referral.referred_at``: generated at that time; the custody log up to the entry before the
"referred" entry of that referral (that entry records the package's hashes, so it cannot be
inside it; the package's signed head is its ``previous``); the reports and evidence received
by then; captures made by then (later ones as still waiting); the verdict and finding of the
last "decided" entry in that log; the referral's first status and no answer; contacts as the
"referred" entry says they were included. The ZIP's members are in a fixed order with one fixed
time (referred_at in Asia/Ho_Chi_Minh); the PDF carries no file identifier and its creation and
modification dates are referred_at. What it cannot reproduce: after the retention erasure
(reports/retention.py) a package that included the reporters' contacts can no longer be rebuilt
byte for byte (the contacts are gone; ``rebuilt_differs`` tells, and the liaison's page says
so); nor after the installation's signing key is replaced, when the head had to be signed
again, or when the site's name, a report moved to another case or a link's checked verdict
changed since.
"""

import logging
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.config.refusals import Refused
from chinhthong.registry import signing
from chinhthong.reports import custody, evidence, labels, package_zip
from chinhthong.reports.models import (
    Capture,
    CaptureStatus,
    Case,
    CustodyEntry,
    CustodyHead,
    EvidenceKind,
    Intake,
    Referral,
    ReferralStatus,
    Report,
    State,
    Verdict,
)

# WeasyPrint reports each step of each document at INFO; its warnings still pass.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_NAME = package_zip.PDF_NAME

# The document's labels are the site's own (the models' choices and reports/labels.py), read
# under translation.override("vi"): the PDF says what the pages say.
SYSTEM = "Hệ thống"
REPORTER = "Người phản ánh"
# ZIP member times are the moment of referral as read in Vietnam.
ZONE = package_zip.ZONE


class Package(NamedTuple):
    pdf: bytes
    zip: bytes
    pdf_sha256: str
    zip_sha256: str
    evidence_count: int
    contacts_included: bool


class Snapshot(NamedTuple):
    """What a package is built from: the case as it stood at ``at``."""

    case: Case
    recipient: object
    referral: Referral | None
    at: datetime
    entries: list[CustodyEntry]
    with_contacts: bool


def contacts_included() -> bool:
    return bool(settings.REFERRAL_INCLUDES_CONTACT)


def _label(choices, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code or ""


def _no_fetching(url: str, *args, **kwargs):
    # Everything the document shows is in its HTML; it loads nothing, from anywhere.
    raise ValueError(f"not fetched: {url[:80]}")


def _actor(label: str, reporters: set[int], with_contacts: bool) -> str:
    if label == "system":
        return SYSTEM
    if not label.startswith("user:"):
        return label
    _user, pk, _username = [*label.split(":", 2), "", ""][:3]
    if pk.isdigit() and int(pk) in reporters and not with_contacts:
        return REPORTER
    return labels.actor(label)


def _state(code) -> str:
    return _label(State, code) if code else ""


def _summary(entry: CustodyEntry) -> str:
    """A line on what the entry recorded (its full detail is in the custody log)."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    if entry.action in ("report_received", "report_joined") and detail.get("report"):
        return f"Mã phản ánh {detail['report']}"
    if entry.action == "evidence_added":
        return f"{detail.get('name', '')} · SHA-256 {str(detail.get('sha256', ''))[:16]}…"
    if entry.action == "referred":
        return f"Chuyển đến {detail.get('recipient_name') or detail.get('recipient', '')}"
    if entry.action == "referral_updated":
        status = (detail.get("status") or {}).get("to", "")
        return f"{detail.get('recipient', '')}: {_label(ReferralStatus, status)}"
    if entry.action == "case_opened":
        return str(detail.get("number", ""))
    if entry.action == "decided":
        return _label(Verdict, detail.get("verdict", ""))
    if entry.action == "state_changed" and detail.get("to"):
        return f"{_state(detail.get('from'))} → {_state(detail['to'])}"
    state = detail.get("state")
    if isinstance(state, dict) and state.get("to"):
        return f"{_state(state.get('from'))} → {_state(state['to'])}"
    return ""


def _capture_as_of(capture, at: datetime | None):
    """The capture as it stood at ``at``: one not made by then was still waiting."""
    if capture is None or at is None:
        return capture
    if capture.fetched_at is not None and capture.fetched_at <= at:
        return capture
    return Capture(link_id=capture.link_id, status=CaptureStatus.PENDING)


def _link_rows(reports: list[Report], at: datetime | None) -> list[dict]:
    captures = {
        c.link_id: c
        for c in Capture.objects.filter(link__report__in=reports).select_related("warc")
    }
    rows = []
    for report in reports:
        for link in report.links.all():
            verdict = (link.verdict or {}).get("verdict", "")
            reasons = [
                r.get("message") or r.get("code", "")
                for r in (link.verdict or {}).get("reasons", [])
                if isinstance(r, dict)
            ]
            capture = _capture_as_of(captures.get(link.pk), at)
            rows.append(
                {
                    "url": link.url,
                    "platform": labels.platform(link.platform) if link.platform else "",
                    "report": report.tracking_code,
                    "verdict": str(VERDICT_LABELS.get(verdict, verdict)) if verdict else "",
                    "reasons": reasons,
                    "capture": capture,
                    "capture_status": _label(CaptureStatus, capture.status) if capture else "",
                }
            )
    return rows


def referred_entry(referral: Referral) -> CustodyEntry | None:
    """The custody entry that recorded ``referral`` (action "referred", the referral's id or
    its body's code in the detail); None while refer() is still building its package."""
    for entry in CustodyEntry.objects.filter(case_id=referral.case_id, action="referred").order_by(
        "seq"
    ):
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        if detail.get("referral") == referral.pk:
            return entry
    code = referral.recipient.code
    for entry in CustodyEntry.objects.filter(case_id=referral.case_id, action="referred").order_by(
        "seq"
    ):
        if isinstance(entry.detail, dict) and entry.detail.get("recipient") == code:
            return entry
    return None


def snapshot(case: Case, recipient=None) -> Snapshot:
    """The case as its package to ``recipient`` was sent: when the case was referred to that
    body, as it stood at the referral (the custody log up to the entry before the "referred"
    one, which records the package's hashes and so cannot be inside it); otherwise as it
    stands now (a handler's copy addressed to no one, or a body the case was not referred to)."""
    referral = (
        Referral.objects.filter(case=case, recipient=recipient).select_related("recipient").first()
        if recipient is not None
        else None
    )
    entries = CustodyEntry.objects.filter(case=case).order_by("seq")
    if referral is None:
        return Snapshot(case, recipient, None, timezone.now(), list(entries), contacts_included())
    marker = referred_entry(referral)
    if marker is not None:
        entries = entries.filter(seq__lt=marker.seq)
        detail = marker.detail if isinstance(marker.detail, dict) else {}
        with_contacts = bool(detail.get("contacts_included", contacts_included()))
    else:  # refer() building the package: every entry so far, none after the referral
        entries = entries.filter(at__lte=referral.referred_at)
        with_contacts = contacts_included()
    return Snapshot(
        case, referral.recipient, referral, referral.referred_at, list(entries), with_contacts
    )


def _head(shot: Snapshot):
    """The signed head of the chain as it stood (Ed25519 signs alike every time)."""
    if shot.referral is None:
        return CustodyHead.objects.filter(case=shot.case).first()
    if not shot.entries:
        return None
    last = shot.entries[-1]
    current = CustodyHead.objects.filter(case=shot.case, seq=last.seq, digest=last.digest).first()
    if current is not None:
        return current
    key = custody._signing_key()
    return CustodyHead(
        case=shot.case,
        seq=last.seq,
        digest=last.digest,
        signature=signing.sign(key, custody.head_body(shot.case.number, last.seq, last.digest)),
        key_id=signing.key_id(key),
        signed_at=last.at,
    )


def _decision(shot: Snapshot) -> tuple[str, str, datetime | None]:
    """The verdict, the finding and when they were recorded, as they stood."""
    case = shot.case
    if shot.referral is None:
        return case.verdict, case.finding, case.decided_at
    decided = [e for e in shot.entries if e.action == "decided" and isinstance(e.detail, dict)]
    if not decided:
        return case.verdict, case.finding, case.decided_at
    last = decided[-1]
    when = case.decided_at if case.decided_at and case.decided_at <= shot.at else last.at
    return last.detail.get("verdict", ""), last.detail.get("finding", ""), when


def _reports(shot: Snapshot) -> list[Report]:
    found = Report.objects.filter(case=shot.case)
    if shot.referral is not None:
        found = found.filter(received_at__lte=shot.at)
    return list(
        found.select_related("reporter", "unit")
        .prefetch_related("links")
        .order_by("received_at", "pk")
    )


def _evidence(shot: Snapshot):
    found = shot.case.evidence.all()
    if shot.referral is not None:
        found = found.filter(created_at__lte=shot.at)
    return found.select_related("report").order_by("created_at", "pk")


def context(case: Case, recipient=None, *, shot: Snapshot | None = None) -> dict:
    """What the document shows; ``recipient``: the body it is addressed to (None: to no one,
    as a handler's copy)."""
    from chinhthong.portal.services import identity

    shot = shot or snapshot(case, recipient)
    reports = _reports(shot)
    reporters = {r.reporter_id for r in reports if r.reporter_id}
    verdict, finding, decided_at = _decision(shot)
    referral = shot.referral
    return {
        "case": case,
        "state": _state(State.REFERRED if referral else case.state),
        "verdict": _label(Verdict, verdict) if verdict else "",
        "finding": finding,
        "decided_at": decided_at,
        "platform": labels.platform(case.platform) if case.platform else "",
        "recipient": shot.recipient,
        "referral": referral,
        # As sent: the referral's first status, and no answer yet.
        "referral_status": _label(ReferralStatus, ReferralStatus.SENT) if referral else "",
        "sender": identity().name,
        "generated_at": shot.at,
        "with_contacts": shot.with_contacts,
        "reports": [
            {"report": r, "intake": _label(Intake, r.intake), "links": r.links.all()}
            for r in reports
        ],
        "links": _link_rows(reports, shot.at if referral else None),
        "evidence": [
            {"item": item, "kind": _label(EvidenceKind, item.kind)} for item in _evidence(shot)
        ],
        "timeline": [
            {
                "entry": entry,
                "action": labels.action(entry.action),
                "actor": _actor(entry.actor, reporters, shot.with_contacts),
                "summary": _summary(entry),
            }
            for entry in shot.entries
        ],
        "head": _head(shot),
    }


def _pdf(shot: Snapshot) -> bytes:
    from weasyprint import CSS, HTML

    with translation.override("vi"), timezone.override(settings.TIME_ZONE):
        html = render_to_string(
            "reports/package/referral.html", context(shot.case, shot.recipient, shot=shot)
        )
        css = render_to_string("reports/package/referral.css")
    document = HTML(string=html, url_fetcher=_no_fetching)
    # No file identifier (pydyf would hash the content, but none is needed); the creation and
    # modification dates are the snapshot's (the template's dcterms meta): built again, the
    # same bytes.
    return document.write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_no_fetching)], pdf_identifier=False
    )


def referral_pdf(case: Case, recipient=None) -> bytes:
    """The PDF summary of ``case`` addressed to ``recipient`` (as sent, when the case was
    referred to it)."""
    return _pdf(snapshot(case, recipient))


def _zip(shot: Snapshot, pdf: bytes) -> bytes:
    return package_zip.archive(
        shot.case,
        shot.recipient,
        shot.at,
        _evidence(shot),
        _head(shot),
        pdf,
        with_contacts=shot.with_contacts,
    )


def evidence_zip(case: Case, recipient=None, *, pdf: bytes | None = None) -> bytes:
    """Every evidence file of ``case`` as received, the PDF summary, manifest.json and
    manifest-sha256.txt (as sent, when the case was referred to ``recipient``). Refused when
    a stored file is missing or no longer matches its hash: a package is never made with
    evidence that changed."""
    shot = snapshot(case, recipient)
    return _zip(shot, _pdf(shot) if pdf is None else pdf)


def _package(shot: Snapshot) -> Package:
    pdf = _pdf(shot)
    archive = _zip(shot, pdf)
    return Package(
        pdf=pdf,
        zip=archive,
        pdf_sha256=evidence.sha256(pdf),
        zip_sha256=evidence.sha256(archive),
        evidence_count=_evidence(shot).count(),
        contacts_included=shot.with_contacts,
    )


def build(case: Case, recipient=None) -> Package:
    """The PDF and the ZIP that holds it, with their hashes (as sent, when the case was
    referred to ``recipient``)."""
    return _package(snapshot(case, recipient))


def as_sent(referral: Referral) -> Package:
    """The package of ``referral`` exactly as it was sent: its ZIP's SHA-256 is
    ``referral.package_sha256`` on every build, unless contacts it held were erased since."""
    return build(referral.case, referral.recipient)


def rebuilt_differs(referral: Referral) -> bool:
    """Whether the package can no longer be rebuilt byte for byte: only when it held the
    reporters' contacts and the retention erasure has since removed some (nothing else it
    holds changes), checked by building it again."""
    if not referral.package_sha256:
        return False
    marker = referred_entry(referral)
    if marker is None or not (marker.detail or {}).get("contacts_included"):
        return False
    erased = Report.objects.filter(
        case_id=referral.case_id,
        received_at__lte=referral.referred_at,
        contact_erased_at__isnull=False,
    )
    if not erased.exists():
        return False
    try:
        return as_sent(referral).zip_sha256 != referral.package_sha256
    except Refused:
        return True
