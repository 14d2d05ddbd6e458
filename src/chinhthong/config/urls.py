from functools import partial

from django.contrib import admin
from django.urls import include, path
from ninja.openapi.views import openapi_view

from chinhthong.checks.services import MAX_CHECK_BYTES, MAX_EMAIL_BYTES
from chinhthong.clients.ratelimit import limited
from chinhthong.config import views
from chinhthong.config.api import api
from chinhthong.registry.urls import snapshot_urlpatterns
from chinhthong.reports.views import MAX_REPORT_BODY

api_urls = api.urls
# Every API view is counted in the "api" group, and takes a body of the request's size at most
# (the email check takes a whole message).
_API_BODY = {
    "check": MAX_CHECK_BYTES,
    "check/email": MAX_EMAIL_BYTES + 64 * 1024,
    "reports": MAX_REPORT_BODY,
}
for _pattern in api_urls[0]:
    limited("api", max_body=_API_BODY.get(str(_pattern.pattern)))(_pattern.callback)
# POST /api/v1/check, which a mail gateway calls for every message, is also routed at the first
# level straight to django-ninja's view for it (the same operation, limits and documentation):
# resolving through the API's include cost a fifth of the gap to a trivial view
# (bench/http_check.py).
check_view = next(p.callback for p in api_urls[0] if str(p.pattern) == "check")

urlpatterns = [
    # First: the API is what programs call for every message, and routes are tried in order.
    path("api/v1/check", check_view),
    path("api/v1/", api_urls),
    path("", views.home, name="home"),
    path("", include("chinhthong.registry.urls")),
    path("", include("chinhthong.accounts.urls")),
    path("", include("chinhthong.checks.urls")),
    path("", include("chinhthong.portal.urls")),
    path("", include("chinhthong.bulletins.urls")),
    path("", include("chinhthong.reach.urls")),
    path("", include("chinhthong.delivery.urls")),
    path("", include("chinhthong.reports.urls")),
    *snapshot_urlpatterns,
    path("api/docs", limited("pages")(partial(openapi_view, api=api)), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

handler500 = "chinhthong.config.views.server_error"
