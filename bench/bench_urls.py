"""The project's URLs plus a trivial JSON view: the floor any endpoint here starts from."""

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def trivial(request):
    return JsonResponse({"verdict": "unknown"})


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("chinhthong.config.urls")),
]
