"""Programs calling /api/ get every error as JSON ``{"detail": …}`` in their language: Django
answers an address no operation has with a page, and django-ninja a method an operation does
not take with "Method not allowed" as text."""

from django.http import JsonResponse
from django.utils.translation import gettext as _


class ApiErrorsAsJson:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in (404, 405)
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _as_json(request, response)
        return response


def _as_json(request, response):
    if response.status_code == 405:
        allowed = response.get("Allow", "")
        detail = _("This address does not take %(method)s; it takes %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
        answer = JsonResponse({"detail": detail}, status=405)
        answer["Allow"] = allowed
        return answer
    return JsonResponse({"detail": _("The API has no such address.")}, status=404)
