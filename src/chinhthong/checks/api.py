"""POST /api/v1/check and /api/v1/check/email."""

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from chinhthong.checks import services
from chinhthong.clients.ratelimit import charge, charged_for_work

router = Router(tags=["check"])


class CheckIn(Schema):
    input: str | None = None
    inputs: list[str] | None = None


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


_CHECK_BODY = {
    "required": True,
    "content": {"application/json": {"schema": CheckIn.model_json_schema()}},
}


class ErrorOut(Schema):
    detail: str


@router.post(
    "/check",
    response={200: ResultOut | BatchOut, 415: ErrorOut},
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
        if not isinstance(payload, dict):
            raise services.InputRejected(_('Send {"input": …} or {"inputs": […]}.'))
        inputs, single = payload.get("inputs"), payload.get("input")
        if inputs is not None:
            if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
                raise services.InputRejected(_("“inputs” must be a list of texts."))
            # Each input counts against the client's limit; the request counted one already.
            charge(request, min(len(inputs), services.MAX_BATCH) - 1)
            results = services.check_many(inputs)
            answers = [services.as_json(r, request.LANGUAGE_CODE) for r in results]
            content = b'{"results":[' + b",".join(answers) + b"]}"
        elif isinstance(single, str):
            content = services.as_json(services.check(single), request.LANGUAGE_CODE)
        else:
            raise services.InputRejected(_('Send {"input": …} or {"inputs": […]}.'))
    except orjson.JSONDecodeError as exc:
        raise HttpError(422, _("The request body is not valid JSON.")) from exc
    except services.InputRejected as exc:
        raise HttpError(422, str(exc)) from exc
    return _answer(response, content)


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
_EMAIL_BODY = {
    "required": True,
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in EMAIL_TYPES},
}


@router.post(
    "/check/email",
    response={200: ResultOut, 415: ErrorOut},
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
