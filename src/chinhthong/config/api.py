"""The JSON API: one NinjaAPI under /api/v1/, each app contributing its router."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from chinhthong import __version__
from chinhthong.checks.api import router as checks_router
from chinhthong.clients.budget import rate_limited
from chinhthong.clients.ratelimit import RateLimitExceeded
from chinhthong.config import api_errors
from chinhthong.reach.api import router as reach_router
from chinhthong.registry.api import router as registry_router
from chinhthong.reports.api import router as reports_router


class API(NinjaAPI):
    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        # django-ninja starts every answer with a response whose empty content is text, which
        # Django encodes after parsing the charset out of the content type; empty bytes skip
        # that, and the check endpoint answers in this very response (bench/http_check.py).
        return HttpResponse(b"", content_type=self.get_content_type())

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return api_errors.complete(schema)


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


# Every request is counted by clients/middleware.py before the body is read (config/urls.py
# marks the API's views); a batch charges its further inputs, which may go over the limit.
@api.exception_handler(RateLimitExceeded)
def _too_many(request, exc):
    return rate_limited(request, exc.retry_after)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, api_errors.not_found(), status=404)


@api.exception_handler(ValidationError)
def _invalid_parameters(request, exc):
    return api.create_response(request, api_errors.parameter_errors(exc.errors), status=422)


# The check routes first: URLs are tried in order, and a mail gateway calls /check per message.
api.add_router("/", checks_router)
api.add_router("/", registry_router)
api.add_router("/", reach_router)
api.add_router("/", reports_router)
