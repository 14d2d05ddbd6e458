"""Taking a report in, however it comes (public form, staff form, API, mail): one function,
`submit`, so every way in stores alike — the report, its links with the verifier's verdicts,
its screenshots as evidence, a case (new or one it joins), and the custody entries that record
all of it — in one transaction, then the captures of its links queued.

A report is validated whole before anything is written: a bad link or a file that is not a
picture refuses the report with a message naming it, and nothing is stored.
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.checks import services as checks
from chinhthong.config.refusals import Refused
from chinhthong.reports import custody, evidence, links, matching, tasks, textnorm
from chinhthong.reports.models import (
    Case,
    Evidence,
    EvidenceKind,
    Intake,
    Priority,
    Report,
    ReportLink,
)
from chinhthong.verify.results import Verdict

MAX_CLAIM_CHARS = 10_000
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 .()-]{1,30}")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MIN_CLAIM_CHARS = 10
MAX_NAME_CHARS = 200
# How far back "when it was seen" may go, and how far ahead a clock may be wrong.
OLDEST_SEEN = dt.timedelta(days=3650)
CLOCK_SKEW = dt.timedelta(minutes=10)


@dataclass
class Upload:
    name: str
    data: bytes
    kind: str = EvidenceKind.SCREENSHOT


@dataclass
class Submission:
    claim: str
    links: list[str] = field(default_factory=list)
    seen_at: dt.datetime | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    consent: bool = False
    files: list[Upload] = field(default_factory=list)
    source_key: str | None = None  # mail intake: each message once


@dataclass
class Checked:
    claim: str
    links: list[links.ReportedLink]
    images: list[tuple[Upload, evidence.CheckedImage | None]]
    contact_email: str
    contact_phone: str
    contact_name: str


def _clean_claim(text: str) -> str:
    # Kept as seen (invisible characters of a post may be part of its trick), but for control
    # characters, which no post shows.
    if len(text or "") > MAX_CLAIM_CHARS:
        raise Refused(
            _("The claim is longer than %(n)s characters.") % {"n": MAX_CLAIM_CHARS},
            code="claim_too_long",
        )
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()


def _clean_phone(text: str) -> str:
    given = (text or "").strip()
    if given and not _PHONE_CHARACTERS.fullmatch(given):
        raise Refused(_("The phone number is not valid."), code="contact_phone")
    phone = "".join(ch for ch in given if ch.isdigit() or ch == "+")
    if phone and not (9 <= len(phone.lstrip("+")) <= 15):
        raise Refused(_("The phone number is not valid."), code="contact_phone")
    return phone


def _clean_email(text: str) -> str:
    email = (text or "").strip()
    if len(email) > 254:
        raise Refused(_("The email address is not valid."), code="contact_email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Refused(_("The email address is not valid."), code="contact_email") from None
    return email


class Problems(Refused):
    """Every problem of a report at once (a form shows each at its field; the API and the CLI
    say them one after the other)."""

    def __init__(self, problems: list[Refused]):
        super().__init__(" ".join(str(p.message) for p in problems), code=problems[0].code)
        self.problems = problems


def _readable(text: str) -> str:
    """``text`` without lone surrogates: bytes a mail header or a client could not decode, which
    no database stores, shown as U+FFFD."""
    try:
        raw = (text or "").encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no decoder escaped (a JSON "\\ud800")
        raw = (text or "").encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def check(submission: Submission) -> Checked:
    """The submission validated whole; Problems naming every part that is wrong."""
    problems: list[Refused] = []
    submission.claim = _readable(submission.claim)
    submission.links = [_readable(link) for link in submission.links]
    submission.contact_name = _readable(submission.contact_name)
    submission.contact_email = _readable(submission.contact_email)
    submission.contact_phone = _readable(submission.contact_phone)

    def checked(function, *args, default=None):
        try:
            return function(*args)
        except Refused as exc:
            problems.append(exc)
            return default

    claim = checked(_clean_claim, submission.claim, default="")
    found = checked(links.read_all, submission.links, default=[])
    if submission.seen_at is not None:
        now = timezone.now()
        if submission.seen_at > now + CLOCK_SKEW or submission.seen_at < now - OLDEST_SEEN:
            problems.append(Refused(_("The time it was seen is not possible."), code="seen_at"))
    images = [f for f in submission.files if f.kind == EvidenceKind.SCREENSHOT]
    checked_files = []
    if len(images) > settings.REPORT_MAX_IMAGES:
        problems.append(
            Refused(
                _("At most %(n)s pictures in one report.") % {"n": settings.REPORT_MAX_IMAGES},
                code="too_many_images",
            )
        )
    else:
        for upload in submission.files:
            image = None
            if upload.kind == EvidenceKind.SCREENSHOT:
                image = checked(evidence.check_image, upload.data, upload.name)
            checked_files.append((upload, image))
    name = " ".join((submission.contact_name or "").split())
    if len(name) > MAX_NAME_CHARS:
        problems.append(
            Refused(
                _("The name is longer than %(n)s characters.") % {"n": MAX_NAME_CHARS},
                code="contact_name",
            )
        )
    email = checked(_clean_email, submission.contact_email, default="")
    phone = checked(_clean_phone, submission.contact_phone, default="")
    if not problems and not found and len(claim) < MIN_CLAIM_CHARS and not submission.files:
        problems.append(
            Refused(
                _(
                    "Give the link of the post, or describe what you saw (at least %(n)s "
                    "characters)."
                )
                % {"n": MIN_CLAIM_CHARS},
                code="nothing_reported",
            )
        )
    if problems:
        raise Problems(problems)
    return Checked(claim, found, checked_files, email, phone, name)


def _verdicts(found: list[links.ReportedLink]) -> list[dict]:
    out = []
    for link in found:
        try:
            result = checks.check(link.url, "url")
        except checks.InputRejected:
            out.append({})
            continue
        data = checks.as_dict(result, "vi")
        out.append({"verdict": data["verdict"], "reasons": data.get("reasons", [])})
    return out


def _priority(verdicts: list[dict]) -> int:
    worst = {v.get("verdict") for v in verdicts}
    if worst & {Verdict.IMPERSONATION, Verdict.MALICIOUS}:
        return Priority.HIGH
    return Priority.NORMAL


def due_for(priority: int, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(hours=settings.REPORT_DUE_HOURS[int(priority) - 1])


def _title(claim: str, found: list[links.ReportedLink]) -> str:
    first_line = " ".join(claim.split())
    if first_line:
        return first_line[:297] + "…" if len(first_line) > 300 else first_line
    if found:
        return found[0].canonical[:300]
    return _("(screenshot only)")


def new_case(title: str, priority: int, platform: str, *, actor) -> Case:
    now = timezone.now()
    case = Case.objects.create(
        number=f"tmp-{secrets.token_hex(7)}",  # until the row has its id
        title=title,
        priority=priority,
        platform=platform,
        due_at=due_for(priority, now),
    )
    case.number = f"VV-{timezone.localdate(now).year}-{case.pk:05d}"
    case.save(update_fields=["number"])
    custody.append(case, "case_opened", {"number": case.number}, actor=actor)
    return case


def submit(submission: Submission, *, intake: str, actor=None, unit=None) -> Report:
    """Store a report whole and return it; Refused (nothing stored) when any part is bad.
    A mail message already taken (its source key) returns the report it made.

    The slow parts — decoding and hashing the pictures, checking the links, preparing the
    claim's words, finding where it belongs, writing the files (content-addressed: a file whose
    report then fails is only an unused copy) — run before the transaction: on SQLite a write
    transaction holds the whole database, and a report of five large pictures held it for
    seconds, stalling every other request."""
    if submission.source_key:
        known = Report.objects.filter(source_key=submission.source_key).first()
        if known is not None:
            return known
    checked = check(submission)
    verdicts = _verdicts(checked.links)
    terms = textnorm.terms_of(checked.claim)
    phashes = [image.phash for _upload, image in checked.images if image is not None]
    placed = matching.place(
        claim=checked.claim,
        canonical_urls=[link.canonical for link in checked.links],
        phashes=phashes,
    )
    for upload, image in checked.images:
        evidence.store(upload.data)
        if image is not None:
            evidence.store(image.shown)
    return _record(submission, checked, verdicts, terms, placed, intake, actor, unit)


@transaction.atomic
def _record(submission, checked, verdicts, terms, placed, intake, actor, unit) -> Report:
    case = placed.case
    if case is not None:  # it may have been closed since it was found
        case = Case.objects.filter(pk=case.pk, state__in=matching.OPEN_STATES).first()
    reporter = actor if getattr(actor, "is_authenticated", False) else None
    case_is_new = case is None
    if case is None:
        platform = checked.links[0].platform if checked.links else ""
        case = new_case(
            _title(checked.claim, checked.links), _priority(verdicts), platform, actor=reporter
        )
    report = Report.objects.create(
        case=case,
        intake=intake,
        claim=checked.claim,
        seen_at=submission.seen_at,
        contact_name=checked.contact_name,
        contact_email=checked.contact_email,
        contact_phone=checked.contact_phone,
        consent=submission.consent and bool(checked.contact_email or checked.contact_phone),
        reporter=reporter,
        unit=unit,
        source_key=submission.source_key,
        suggested_case=placed.suggestion,
        suggested_score=placed.suggestion_score,
        match_terms=terms,  # no process segments it again
    )
    ReportLink.objects.bulk_create(
        ReportLink(
            report=report,
            url=link.url,
            canonical_url=link.canonical,
            platform=link.platform,
            verdict=verdict,
        )
        for link, verdict in zip(checked.links, verdicts, strict=True)
    )
    custody.append(
        case,
        "report_received" if case_is_new else "report_joined",
        {
            "report": report.tracking_code,
            "intake": intake,
            "claim_sha256": evidence.sha256(checked.claim.encode()),
            "links": [
                {"url": link.url, "verdict": verdict.get("verdict", "")}
                for link, verdict in zip(checked.links, verdicts, strict=True)
            ],
            "seen_at": submission.seen_at.isoformat() if submission.seen_at else None,
            **({} if case_is_new else {"joined_by": placed.reason}),
        },
        actor=reporter,
    )
    for upload, image in checked.images:
        add_file(case, report, upload, image, actor=reporter)
    transaction.on_commit(partial(tasks.after_intake, report.pk))
    return report


def add_file(case: Case, report: Report | None, upload: Upload, image, *, actor) -> Evidence:
    """Store one file of a report as evidence (and its shown copy), with a custody entry."""
    data = upload.data
    digest = evidence.store(data)
    shown = evidence.store(image.shown) if image is not None else ""
    if image is not None:
        content_type = image.content_type
    else:
        content_type = (
            "message/rfc822"
            if upload.kind == EvidenceKind.MESSAGE
            else ("application/octet-stream")
        )
    item = Evidence.objects.create(
        case=case,
        report=report,
        kind=upload.kind,
        name=(upload.name or digest[:12])[:200],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        shown_sha256=shown,
        phash=image.phash if image is not None else "",
    )
    custody.append(
        case,
        "evidence_added",
        {
            "evidence": item.pk,
            "kind": item.kind,
            "name": item.name,
            "type": content_type,
            "size": item.size,
            "sha256": digest,
            "shown_sha256": shown,
            "report": report.tracking_code if report else None,
        },
        actor=actor,
    )
    return item


def intake_label(value: str) -> str:
    return Intake(value).label
