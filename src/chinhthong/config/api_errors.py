"""Programs calling /api/ get every error as JSON ``{"detail": …}`` in their language: Django
answers an address no operation has with a page, and django-ninja a method an operation does
not take with "Method not allowed" as text, an object it does not find with "Not Found" and
a parameter pydantic refuses with pydantic's English.

The OpenAPI document says so: ``complete`` adds to every operation the answers the request
budget (clients/budget.py, config/asgi.py) gives before any operation runs — 401 for an
unknown key, 429 over the rate limit, and 408, 413, 503 for a body — and the ``X-API-Key``
scheme, which is optional: without a key a client is counted by its address."""

import re

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema


class ErrorOut(Schema):
    detail: str


class ParameterError(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ParameterErrorsOut(Schema):
    """django-ninja's answer to a parameter it refuses: one entry per parameter."""

    detail: list[ParameterError]


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


def not_found() -> dict:
    return {"detail": _("Nothing has this code or slug.")}


def parameter_errors(errors: list[dict]) -> dict:
    """django-ninja's errors, each message in the request's language where pydantic's own
    English says something a translation can (our validators' messages are translated)."""
    return {"detail": [_translated(error) for error in errors]}


def _translated(error: dict) -> dict:
    name = str(error["loc"][-1]) if error.get("loc") else ""
    kind = error.get("type", "")
    if kind == "enum":
        # pydantic lists the values in English ("'a', 'b' or 'c'"): listed again here.
        values = ", ".join(re.findall(r"'[^']*'", error.get("ctx", {}).get("expected", "")))
        message = _("“%(name)s” must be one of: %(values)s.") % {"name": name, "values": values}
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        message = _("“%(name)s” must be a whole number.") % {"name": name}
    elif kind == "missing":
        message = _("“%(name)s” is required.") % {"name": name}
    else:
        return error
    return {**error, "msg": message}


# --- the OpenAPI document -----------------------------------------------------------------
API_KEY_SCHEME = "ApiKey"
_ERROR = "#/components/schemas/ErrorOut"
# Answers of the request budget, before any operation runs: to every operation,
_EVERY_OPERATION = {
    "401": "The X-API-Key header names no active key (unknown or revoked).",
    "429": (
        "Over the client's rate limit, or the client has as many requests in progress as it "
        "may; Retry-After says in how many seconds to try again."
    ),
}
# and to every operation that takes a body.
_WITH_BODY = {
    "408": "The body did not arrive in time.",
    "413": "The body is larger than the operation accepts (refused before it is read).",
    "503": (
        "The server holds as many large bodies as it may; Retry-After says in how many "
        "seconds to try again."
    ),
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}


def complete(schema: dict) -> dict:
    """The API's OpenAPI document with the key scheme and the budget's answers."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
    components["securitySchemes"] = {
        API_KEY_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": (
                "Optional. A program's own key (`chinhthong apikey create`): its requests "
                "count against the key's rate limit instead of the address's. An unknown or "
                "revoked key is refused with 401."
            ),
        }
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            operation["security"] = [{}, {API_KEY_SCHEME: []}]
            statuses = dict(_EVERY_OPERATION)
            if "requestBody" in operation:
                statuses.update(_WITH_BODY)
            # Operations declare statuses as numbers; written as strings beside them, a status
            # would appear twice in the JSON, which Swagger UI refuses to read.
            responses = operation["responses"] = {
                str(status): answer for status, answer in operation["responses"].items()
            }
            for status, description in statuses.items():
                responses.setdefault(status, _error(description))
                if status in ("429", "503"):
                    responses[status]["headers"] = _RETRY_AFTER
    return schema


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _ERROR}}},
    }
