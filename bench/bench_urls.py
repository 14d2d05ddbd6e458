"""The project's URLs plus a trivial JSON view: the floor any endpoint here starts from. The
project's patterns are listed as they are, not included one level down, so that resolving them
costs what it costs in production."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from chinhthong.config import urls as project_urls


@csrf_exempt
def trivial(request):
    return JsonResponse({"verdict": "unknown"})


urlpatterns = [
    path("bench/trivial", trivial),
    *project_urls.urlpatterns,
]
