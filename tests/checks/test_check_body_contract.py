"""POST /api/v1/check takes exactly what its OpenAPI document describes: an object with either
a text `input` or a non-empty list `inputs`; anything else is a 422 that says what is wrong,
in the client's language."""

import re

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhthong.checks import services

PATH = "/api/v1/check"


def _post(client, body: str, language: str = "en"):
    return client.post(PATH, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def _said(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"input": [], "inputs": []}', "Send either “input” or “inputs”, not both."),
        (
            '{"input": "quangninh.gov.vn", "inputs": ["bit.ly/abc"]}',
            "Send either “input” or “inputs”, not both.",
        ),
        ('{"inputs": []}', "“inputs” is empty: send at least one input."),
        ('{"input": null}', "“input” must be a text."),
        ('{"input": ["quangninh.gov.vn"]}', "“input” must be a text."),
        ('{"inputs": null}', "“inputs” must be a list of texts."),
        ('{"inputs": "quangninh.gov.vn"}', "“inputs” must be a list of texts."),
        ('{"text": "quangninh.gov.vn"}', 'Send {"input": …} or {"inputs": […]}.'),
        ('["quangninh.gov.vn"]', 'Send {"input": …} or {"inputs": […]}.'),
        (
            '{"inputs": ["quangninh.gov.vn", " \\n "]}',
            "Paste a link, a domain, a mail address or a message.",
        ),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_body_the_document_does_not_describe_is_refused_saying_why(
    client, db, body, message, language
):
    answer = _post(client, body, language)
    assert answer.status_code == 422
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json() == {"detail": _said(message, language)}
    if language == "vi":
        assert answer.json()["detail"] != message


def test_the_document_states_the_rules(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"][PATH]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["oneOf"] == [{"required": ["input"]}, {"required": ["inputs"]}]
    text = schema["properties"]["input"]
    assert (text["minLength"], text["maxLength"]) == (1, services.MAX_INPUT_CHARS)
    batch = schema["properties"]["inputs"]
    assert (batch["minItems"], batch["maxItems"], batch["items"]) == (1, services.MAX_BATCH, text)
    assert {"413", "415", "422", "401", "429"} <= operation["responses"].keys()


@override_settings(PUBLIC_RATE_LIMIT="100000/m")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=12))
def test_an_input_matches_the_documented_pattern_exactly_when_it_is_checked(client, db, text):
    """ "Not only white space", as the document's pattern and as the server reads it, agree on
    every character (Python's \\s is what str.strip() removes)."""
    pattern = client.get("/api/v1/openapi.json").json()["paths"][PATH]["post"]["requestBody"][
        "content"
    ]["application/json"]["schema"]["properties"]["input"]["pattern"]
    answer = client.post(PATH, {"input": text}, content_type="application/json")
    assert answer.status_code == (200 if re.search(pattern, text) else 422), answer.content


def test_the_email_body_is_documented_as_a_message(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"][PATH + "/email"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"message/rfc822", "application/octet-stream", "message/global"}
    for media in content.values():
        assert media["schema"]["format"] == "binary" and media["schema"]["minLength"] == 1
    assert {"413", "415", "422", "401", "429"} <= operation["responses"].keys()
