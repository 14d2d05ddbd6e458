from functools import partial

from django.contrib import admin
from django.urls import include, path
from ninja.openapi.views import openapi_view

from chinhthong.config import views
from chinhthong.config.api import api
from chinhthong.registry.urls import snapshot_urlpatterns

api_urls = api.urls
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
    *snapshot_urlpatterns,
    path("api/docs", partial(openapi_view, api=api), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

handler500 = "chinhthong.config.views.server_error"
