"""The JSON API: one NinjaAPI under /api/v1/, each app contributing its router."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI

from chinhthong import __version__
from chinhthong.checks.api import router as checks_router
from chinhthong.config.ratelimit import InvalidApiKey, public_rate_limit, retry_after_header
from chinhthong.registry.api import router as registry_router


class API(NinjaAPI):
    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        # django-ninja starts every answer with a response whose empty content is text, which
        # Django encodes after parsing the charset out of the content type; empty bytes skip
        # that, and the check endpoint answers in this very response (bench/http_check.py).
        return HttpResponse(b"", content_type=self.get_content_type())


api = API(
    title="chinhthong API",
    version=__version__,
    description=(
        "Sổ đăng ký kênh thông tin chính thống và kiểm tra. "
        "Registry of official channels and verification."
    ),
    urls_namespace="api",
    docs_url=None,
)
# Every operation is public, so every operation is limited per client address.
api.add_decorator(public_rate_limit("api"), mode="operation")


@api.exception_handler(InvalidApiKey)
def _bad_key(request, exc):
    return api.create_response(
        request, {"detail": _("The API key is not valid or was revoked.")}, status=401
    )


@api.exception_handler(Ratelimited)
def _too_many(request, exc):
    response = api.create_response(
        request,
        {"detail": _("Too many requests; please try again in a few minutes.")},
        status=429,
    )
    return retry_after_header(response, exc)


# The check routes first: URLs are tried in order, and a mail gateway calls /check per message.
api.add_router("/", checks_router)
api.add_router("/", registry_router)
