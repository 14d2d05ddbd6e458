"""What a request may cost, decided before its body is read: the body may be no larger than
its view accepts (by the declared Content-Length), and its client must be within its rate
limit. The middleware decides for every request; the HTTP server (config/asgi.py) asks the
same question before it receives a large body, so such a body is never read when refused."""

from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chinhthong.clients.ratelimit import InvalidApiKey, RateLimitExceeded, limit

DEFAULT_GROUP = "pages"
# The WSGI environ key under which the server leaves what it decided before the body.
DECIDED = "chinhthong.budget"


class Refusal(NamedTuple):
    status: int
    value: int = 0  # the size accepted (413), the seconds to wait (429, 503)


ADMITTED = Refusal(0)


def body_cap(view) -> int:
    return getattr(view, "max_body", settings.MAX_REQUEST_BODY)


def admit(request, view) -> Refusal:
    """Count the request against its client's limit, unless its body is refused first.
    ``view`` is None where no view answers the address: counted as a page (a flood of
    made-up addresses costs its sender like any other)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit():
        return Refusal(400)
    cap = body_cap(view)
    if int(declared) > cap:
        return Refusal(413, cap)
    try:
        limit(request, getattr(view, "rate_limit_group", DEFAULT_GROUP))
    except RateLimitExceeded as exc:
        return Refusal(429, exc.retry_after)
    except InvalidApiKey:
        return Refusal(401)
    return ADMITTED


def respond(request, refusal: Refusal) -> HttpResponse:
    """The refusal in the client's language: JSON for programs, a page or a line for people."""
    if refusal.status == 429:
        return rate_limited(request, refusal.value)
    messages = {
        400: lambda: _("The request's Content-Length is not a number."),
        401: lambda: _("The API key is not valid or was revoked."),
        408: lambda: _("The request body took too long to arrive."),
        413: lambda: (
            _("The request body is larger than %(size)s, the most this address accepts.")
            % {"size": _size(refusal.value)}
        ),
        503: lambda: _("The server is busy receiving other large requests; try again shortly."),
    }
    message = messages[refusal.status]()
    if _wants_json(request):
        response = JsonResponse({"detail": message}, status=refusal.status)
    else:
        response = HttpResponse(
            message, status=refusal.status, content_type="text/plain; charset=utf-8"
        )
    if refusal.status == 503:
        response["Retry-After"] = str(refusal.value)
    return response


def rate_limited(request, retry_after: int) -> HttpResponse:
    if _wants_json(request):
        message = _("Too many requests; please try again in a few minutes.")
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _size(count: int) -> str:
    if count >= 2**20:
        megabytes = f"{count / 2**20:.1f}".removesuffix(".0")
        return _("%(mb)s MB") % {"mb": megabytes}
    return _("%(kb)s KB") % {"kb": round(count / 2**10)}


def _wants_json(request) -> bool:
    return request.path_info.startswith("/api/")
