"""Reports for programs: POST /api/v1/reports takes a report (JSON, or multipart with
screenshots), GET /api/v1/reports/{tracking_code} answers its public status — the same
services and the same status a reporter sees on the site (reports/intake.py, queries.py)."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from chinhthong.clients.ratelimit import limit
from chinhthong.config import safe_json
from chinhthong.config.api_errors import ErrorOut
from chinhthong.config.refusals import Refused
from chinhthong.reports import intake, links, queries
from chinhthong.reports.forms import normalise_code
from chinhthong.reports.models import EvidenceKind, Intake

router = Router(tags=["reports"])


class ReportIn(Schema):
    links: list[str] = []
    claim: str = ""
    seen_at: dt.datetime | None = None
    contact: str | dict | None = None


class ReceiptOut(Schema):
    tracking_code: str
    status_url: str


class StatusOut(Schema):
    tracking_code: str
    received_at: dt.datetime
    status: str
    status_label: str
    verdict: str | None
    verdict_label: str | None
    finding: str
    rebuttal_url: str | None
    rebuttal_title: str


# The report as the service takes it, as closely as JSON Schema can say it: at least a link or
# a claim of MIN_CLAIM_CHARS; a time seen within the last ten years; a contact whose email and
# phone are valid. What it cannot say — a link must be a web address (as people paste them:
# with or without a scheme, any path and query), a time not in the future — is answered 400
# with the reason.
PHONE_PATTERN = r"^\+?[0-9](?:[ .-]?[0-9]){8,14}$"
REPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "links": {
            "type": "array",
            "maxItems": links.MAX_LINKS,
            "items": {"type": "string", "minLength": 1, "maxLength": links.MAX_LINK_CHARS},
            "description": "Links to the post(s): web addresses.",
        },
        "claim": {
            "type": "string",
            "maxLength": intake.MAX_CLAIM_CHARS,
            "description": "The claim as seen: the post's text, or what it says.",
        },
        "seen_at": {
            "anyOf": [
                {
                    "type": "string",
                    "format": "date-time",
                    "pattern": r"^(?:19|20)[0-9]{2}-",
                },
                {"type": "null"},
            ],
            "description": "When it was seen (ISO 8601; without a zone, Vietnam's time).",
        },
        "contact": {
            "anyOf": [
                {"type": "string", "format": "email", "maxLength": 254},
                {"type": "string", "pattern": PHONE_PATTERN},
                {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "maxLength": 200},
                        "email": {
                            "anyOf": [
                                {"type": "string", "format": "email", "maxLength": 254},
                                {"const": ""},
                            ]
                        },
                        "phone": {"type": "string", "pattern": PHONE_PATTERN + "|^$"},
                        "consent": {"type": "boolean"},
                    },
                    "additionalProperties": False,
                },
                {"type": "null"},
            ],
            "description": "How to reach the reporter, with their consent (optional).",
        },
    },
    "anyOf": [
        {"required": ["links"], "properties": {"links": {"minItems": 1}}},
        {"required": ["claim"], "properties": {"claim": {"minLength": intake.MIN_CLAIM_CHARS}}},
    ],
}
MULTIPART = {
    "requestBody": {
        "content": {
            "application/json": {"schema": REPORT_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "report": REPORT_SCHEMA,
                        "screenshots": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": 5,
                        },
                    },
                    "required": ["report"],
                },
                "encoding": {"report": {"contentType": "application/json"}},
            },
        },
        "required": True,
    }
}


def _bad(message: str) -> Refused:
    return Refused(message, code="bad_request")


def _document(request: HttpRequest) -> dict:
    if request.content_type == "multipart/form-data":
        if "screenshots" in request.POST:  # a text field, not a file
            raise _bad(_("“screenshots” must be picture files."))
        text = request.POST.get("report")
        if text is None:
            raise _bad(_("Send the report as JSON in the form field “report”."))
        raw = text.encode()
    else:
        raw = request.body
    try:
        document = safe_json.loads(raw)
    except ValueError:
        raise _bad(_("The body is not valid JSON.")) from None
    if not isinstance(document, dict):
        raise _bad(_("The body must be a JSON object."))
    return document


def _seen_at(value):
    if value is None:
        return None
    try:
        seen_at = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        seen_at = None
    if seen_at is None:
        raise _bad(_("“seen_at” must be a date and time (ISO 8601)."))
    return timezone.make_aware(seen_at) if timezone.is_naive(seen_at) else seen_at


CONTACT_FIELDS = {"name": str, "email": str, "phone": str, "consent": bool}


def _contact(value) -> dict:
    """The contact as given: nothing, an email address, a phone number, or an object of
    CONTACT_FIELDS; anything else is refused."""
    if value is None:
        return {}
    if isinstance(value, str) and value.strip():
        return {"email": value} if "@" in value else {"phone": value}
    if isinstance(value, dict) and all(
        name in CONTACT_FIELDS and isinstance(item, CONTACT_FIELDS[name])
        for name, item in value.items()
    ):
        return value
    raise _bad(
        _(
            "“contact” must be an email address, a phone number or an object of name, email, "
            "phone and consent."
        )
    )


def _submission(request: HttpRequest, document: dict) -> intake.Submission:
    links = document.get("links", [])
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise _bad(_("“links” must be a list of addresses."))
    claim = document.get("claim", "")
    if not isinstance(claim, str):
        raise _bad(_("“claim” must be text."))
    seen_at = _seen_at(document.get("seen_at"))
    contact = _contact(document.get("contact"))
    files = [
        intake.Upload(upload.name, upload.read(), EvidenceKind.SCREENSHOT)
        for upload in request.FILES.getlist("screenshots")
    ]
    return intake.Submission(
        claim=claim,
        links=links,
        seen_at=seen_at,
        contact_name=str(contact.get("name", "")),
        contact_email=str(contact.get("email", "")),
        contact_phone=str(contact.get("phone", "")),
        consent=contact.get("consent") is True,  # said, never implied
        files=files,
    )


@router.post(
    "/reports",
    response={201: ReceiptOut, 400: ErrorOut},
    openapi_extra=MULTIPART,
    summary="Report false information",
)
def create_report(request: HttpRequest):
    """A report of false information, as the public form takes it: the links of the post(s),
    the claim as seen, when it was seen, an optional contact (an email address, a phone
    number, or {"name", "email", "phone", "consent"}) and, as multipart, screenshots. Answers
    the tracking code its status is followed by."""
    limit(request, "reports")
    try:
        report = intake.submit(_submission(request, _document(request)), intake=Intake.API)
    except Refused as exc:
        return Status(400, {"detail": exc.message})
    status_url = request.build_absolute_uri(f"/api/v1/reports/{report.tracking_code}")
    return Status(201, {"tracking_code": report.tracking_code, "status_url": status_url})


@router.get(
    "/reports/{tracking_code}",
    response={200: StatusOut, 404: ErrorOut},
    summary="Status of a report",
)
def report_status(request: HttpRequest, tracking_code: str):
    """What the reporter may see: the status, the conclusion once there is one, and the
    verified information once published. Nothing about other reports."""
    report = queries.report_by_code(normalise_code(tracking_code))
    if report is None:
        return Status(404, {"detail": _("No report has this tracking code.")})
    return queries.public_status(report)
