"""POST /api/v1/check and /api/v1/check/email."""

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from chinhthong.checks import services

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


@router.post("/check", response={200: ResultOut | BatchOut}, summary="Is this official?")
def check(request, payload: CheckIn):
    """Check one input (`{"input": …}`) or up to 100 (`{"inputs": […]}`): a link, a domain, a
    Facebook link, a sender address or a forwarded text."""
    try:
        if payload.inputs is not None:
            return {"results": [services.as_dict(r) for r in services.check_many(payload.inputs)]}
        if payload.input is None:
            raise services.InputRejected(_('Send {"input": …} or {"inputs": […]}.'))
        return services.as_dict(services.check(payload.input))
    except services.InputRejected as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/check/email", response=ResultOut, summary="Check a whole email (.eml)")
def check_email(request):
    """The raw RFC 5322 message as the request body (Content-Type: message/rfc822)."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise HttpError(
            413,
            _("The message is larger than %(mb)s MB.") % {"mb": services.MAX_EMAIL_BYTES // 2**20},
        ) from exc
    try:
        return services.as_dict(services.check_email(raw))
    except services.InputRejected as exc:
        raise HttpError(413 if len(raw) > services.MAX_EMAIL_BYTES else 422, str(exc)) from exc
