"""POST /api/v1/check and /api/v1/check/email."""

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from chinhthong.checks import services
from chinhthong.clients.ratelimit import charge, charged_for_work
from chinhthong.config.api_errors import ErrorOut

router = Router(tags=["check"])


class ReasonOut(Schema):
    code: str
    verdict: str
    message: str
    params: dict[str, str]


class ChannelRefOut(Schema):
    slug: str
    name: str
    kind: str
    status: str
    agency: str
    agency_name: str
    identifier: str
    url: str


class ResultOut(Schema):
    input: str
    kind: str
    verdict: str
    reasons: list[ReasonOut]
    channel: ChannelRefOut | None
    lookalike_of: ChannelRefOut | None
    parts: list[dict]


class BatchOut(Schema):
    results: list[ResultOut]


# What the endpoint takes, exactly: it checks the body by hand (below), not through a model.
_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": services.MAX_INPUT_CHARS,
    "pattern": r"\S",
    "description": (
        f"A link, a domain, a Facebook link, a sender address or a forwarded text: at most "
        f"{services.MAX_INPUT_CHARS} characters, not only white space."
    ),
}
_CHECK_IN = {
    "title": "CheckIn",
    "type": "object",
    "properties": {
        "input": _TEXT,
        "inputs": {
            "type": "array",
            "items": _TEXT,
            "minItems": 1,
            "maxItems": services.MAX_BATCH,
            "description": f"A batch of 1 to {services.MAX_BATCH} inputs.",
        },
    },
    "oneOf": [{"required": ["input"]}, {"required": ["inputs"]}],
    "description": "Either `input` or `inputs`, not both.",
}
_CHECK_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": _CHECK_IN,
            "examples": {
                "one": {"value": {"input": "https://quangninh-gov.vn/tra-cuu"}},
                "batch": {"value": {"inputs": ["www.quangninh.gov.vn", "bit.ly/abc"]}},
            },
        }
    },
}


@router.post(
    "/check",
    response={200: ResultOut | BatchOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Is this official?",
    openapi_extra={"requestBody": _CHECK_BODY},
)
def check(request, response: HttpResponse):
    """Check one input (`{"input": …}`) or up to 100 (`{"inputs": […]}`): a link, a domain, a
    Facebook link, a sender address or a forwarded text."""
    # This is the endpoint a mail gateway calls for every message, so the body is read with
    # orjson and checked here rather than through a validation model (bench/http_check.py).
    # JSON only: a web page may make its visitors' browsers post text/plain or a form to any
    # site without asking it first (CORS "simple requests"), and have them post batches here.
    if request.content_type.lower() != "application/json":
        raise HttpError(415, _("Send the inputs as JSON, with Content-Type: application/json."))
    # Read directly rather than through request.body, which copies the body once more.
    body = request.read(services.MAX_CHECK_BYTES + 1)
    if len(body) > services.MAX_CHECK_BYTES:
        raise HttpError(
            413,
            _("The request body is larger than %(mb)s MB.")
            % {"mb": services.MAX_CHECK_BYTES // 2**20},
        )
    try:
        payload = orjson.loads(body)
        if "inputs" in _keys(payload):
            inputs = _batch(payload)
            # Each input counts against the client's limit; the request counted one already.
            charge(request, min(len(inputs), services.MAX_BATCH) - 1)
            results = services.check_many(inputs)
            answers = [services.as_json(r, request.LANGUAGE_CODE) for r in results]
            content = b'{"results":[' + b",".join(answers) + b"]}"
        else:
            single = payload["input"]
            if not isinstance(single, str):
                raise services.InputRejected(_("“input” must be a text."))
            content = services.as_json(services.check(single), request.LANGUAGE_CODE)
    except orjson.JSONDecodeError as exc:
        raise HttpError(422, _("The request body is not valid JSON.")) from exc
    except services.InputRejected as exc:
        raise HttpError(422, str(exc)) from exc
    return _answer(response, content)


def _keys(payload) -> set:
    """The one of "input" and "inputs" the body holds (an object with exactly one of them)."""
    keys = {"input", "inputs"} & payload.keys() if isinstance(payload, dict) else set()
    if not keys:
        raise services.InputRejected(_('Send {"input": …} or {"inputs": […]}.'))
    if len(keys) == 2:
        raise services.InputRejected(_("Send either “input” or “inputs”, not both."))
    return keys


def _batch(payload: dict) -> list[str]:
    inputs = payload["inputs"]
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise services.InputRejected(_("“inputs” must be a list of texts."))
    if not inputs:
        raise services.InputRejected(_("“inputs” is empty: send at least one input."))
    return inputs


def _answer(response: HttpResponse, content: bytes) -> HttpResponse:
    # Built from typed values already; answering in the response django-ninja made for this
    # request (JSON, UTF-8) spares re-validating every field against the schema, which still
    # documents it, and building a second response.
    response.content = content
    return response


# The types a message may be sent as. Not text/plain, the form types or none at all: a web
# page may make its visitors' browsers post those to any site without asking it first (CORS
# "simple requests"), and have them post message bombs here.
EMAIL_TYPES = ("message/rfc822", "application/octet-stream", "message/global")
_MESSAGE = {
    "type": "string",
    "format": "binary",
    "minLength": 1,
    "description": (
        f"The raw message (RFC 5322), headers and body, exactly as received: at most "
        f"{services.MAX_EMAIL_BYTES // 2**20} MB (413 past that)."
    ),
}
_EXAMPLE_MESSAGE = (
    "From: Sở Y tế <thongbao@syt-quangninh.top>\r\nTo: canbo@quangninh.gov.vn\r\n"
    "Subject: Hướng dẫn phòng dịch\r\n\r\nXem tại https://syt-quangninh.top/huong-dan\r\n"
)
_EMAIL_BODY = {
    "required": True,
    "content": {kind: {"schema": _MESSAGE, "example": _EXAMPLE_MESSAGE} for kind in EMAIL_TYPES},
}


@router.post(
    "/check/email",
    response={200: ResultOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Check a whole email (.eml)",
    openapi_extra={"requestBody": _EMAIL_BODY},
)
def check_email(request, response: HttpResponse):
    """The raw RFC 5322 message as the request body, with Content-Type: message/rfc822 (or
    application/octet-stream); a message of any other type, or of none, is refused with 415
    before it is parsed (an empty body is told it is empty, whatever its type)."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise HttpError(
            413,
            _("The message is larger than %(mb)s MB.") % {"mb": services.MAX_EMAIL_BYTES // 2**20},
        ) from exc
    if raw and request.content_type.lower() not in EMAIL_TYPES:
        raise HttpError(
            415, _("Send the message itself as the body, with Content-Type: message/rfc822.")
        )
    charge(request, services.email_cost(raw) - 1)
    try:
        with charged_for_work(request):
            result = services.check_email(raw)
        return _answer(response, services.as_json(result, request.LANGUAGE_CODE))
    except services.InputRejected as exc:
        raise HttpError(413 if len(raw) > services.MAX_EMAIL_BYTES else 422, str(exc)) from exc
