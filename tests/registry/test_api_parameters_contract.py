"""The registry's read endpoints refuse exactly the parameters their OpenAPI document says
they refuse, and say so in the client's language: a client generating requests from the
document (Schemathesis, tests/checks/test_openapi_contract.py) meets no surprise."""

import re

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhthong.registry.api import MAX_CODE_CHARS
from chinhthong.registry.models import ChannelKind


def _parameters(client, path: str) -> dict:
    operation = client.get("/api/v1/openapi.json").json()["paths"][path]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"]}


def _every_character(pattern: str) -> re.Pattern:
    """A `^[…]*$` pattern read as JSON Schema reads it (ECMA-262: `$` is the end of the text;
    Python's `$` would also take a final line feed)."""
    assert pattern.startswith("^[") and pattern.endswith("]*$")
    return re.compile(pattern[1:-1])


@override_settings(PUBLIC_RATE_LIMIT="100000/m")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=8))
def test_a_search_text_is_answered_exactly_when_the_document_allows_it(client, db, text):
    schema = _parameters(client, "/api/v1/channels")["q"]
    allowed = _every_character(schema["pattern"]).fullmatch(text) and len(text) <= 200
    answer = client.get("/api/v1/channels", {"q": text, "limit": 1})
    assert answer.status_code == (200 if allowed else 422), (text, answer.content)


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Sở Y tế", True),
        ("Sở Y te\u0301", True),  # decomposed Vietnamese: a combining mark, allowed
        ("quangninh\U000e0001", False),  # a tag character (format)
        ("so\u202etttt", False),  # right-to-left override
        ("kiem\x00soat", False),
        ("kiem soat\n", False),
        ("\u0378", True),  # unassigned: finds nothing, refused by no rule the document states
    ],
)
def test_the_documented_pattern_and_the_server_agree(client, db, text, allowed):
    schema = _parameters(client, "/api/v1/channels")["agency"]
    assert bool(_every_character(schema["pattern"]).fullmatch(text)) is allowed
    answer = client.get("/api/v1/channels", {"agency": text})
    assert answer.status_code == (200 if allowed else 422)


def test_bounds_are_stated_as_numbers(client, db):
    parameters = _parameters(client, "/api/v1/agencies")
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 1000)
    assert (parameters["offset"]["minimum"], parameters["offset"]["maximum"]) == (0, 1_000_000)
    assert parameters["q"]["maxLength"] == 200
    code = _parameters(client, "/api/v1/agencies/{code}")["code"]
    assert code["maxLength"] == MAX_CODE_CHARS and code["pattern"] == "^[-a-zA-Z0-9_]+$"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "telegram"}, "“%(name)s” must be one of: %(values)s."),
        ({"limit": "mot"}, "“%(name)s” must be a whole number."),
        ({"offset": "1.5"}, "“%(name)s” must be a whole number."),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_parameter_pydantic_refuses_is_named_in_the_clients_language(
    client, db, query, message, language
):
    answer = client.get("/api/v1/channels", query, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 422
    ((name, _value),) = query.items()
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["query", name]
    kinds = ", ".join(f"'{kind}'" for kind in ChannelKind.values)
    with translation.override(language):
        expected = translation.gettext(message) % {"name": name, "values": kinds}
    assert error["msg"] == expected
    if language == "vi":
        assert expected != message % {"name": name, "values": kinds}


@pytest.mark.parametrize("path", ["/api/v1/agencies/khong-co", "/api/v1/channels/a%00b"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_object_not_found_is_a_404_in_the_clients_language(client, db, path, language):
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 404
    with translation.override(language):
        expected = translation.gettext("Nothing has this code or slug.")
    assert answer.json() == {"detail": expected}
    assert language == "en" or expected != "Nothing has this code or slug."
