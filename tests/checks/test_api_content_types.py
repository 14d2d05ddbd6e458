"""The API takes only the types it documents: /api/v1/check JSON, /api/v1/check/email a
message. A body sent as a form or as plain text (the types a browser sends cross-site without
asking the site first) or with no type at all is refused with 415 before it is parsed."""

import pytest
from django.utils import translation

from tests.verify.engines import CORPUS

PATH = "/api/v1/check/email"
MESSAGE = (CORPUS / "eml" / "official_bulletin.eml").read_bytes()
# A hostile web page's form can post a message bomb in any of these; what it costs us to
# parse is what the page's visitors are made to spend for it.
BOMB = b"From: x@evil.example\nContent-Type: multipart/mixed; boundary=b\n\n" + b"--b\n\n" * 3000
REFUSAL = "Send the message itself as the body, with Content-Type: message/rfc822."


def expected(language: str) -> str:
    with translation.override(language):
        return translation.gettext(REFUSAL)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=----x",
        "TEXT/PLAIN",
        "",  # a fetch() of a Blob with no type sends none, and is no more asked about than text
        "application/json",
        "text/html",
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_types_a_browser_sends_cross_site_are_refused(
    client, default_registry, content_type, language
):
    response = client.post(PATH, BOMB, content_type=content_type, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": expected(language)}


@pytest.mark.parametrize(
    "content_type",
    [
        "message/rfc822",
        "message/rfc822; charset=utf-8",
        "Message/RFC822",
        "application/octet-stream",
        "message/global",
    ],
)
def test_a_message_type_is_checked(client, default_registry, content_type):
    response = client.post(PATH, MESSAGE, content_type=content_type)
    assert response.status_code == 200
    assert response.json()["verdict"] == "official"


def test_the_refusal_is_in_the_openapi_schema(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"][PATH]["post"]
    assert "message/rfc822" in operation["requestBody"]["content"]
    assert "415" in operation["responses"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_batch_posted_as_a_browser_may_post_cross_site_is_refused(client, db, content_type):
    """A hostile page could have its visitors post 100 long inputs each as text/plain: the
    check takes JSON only, refused before it is read or charged."""
    batch = '{"inputs": ["' + '", "'.join(["quangninh-gov.vn"] * 100) + '"]}'
    answer = client.post("/api/v1/check", batch, content_type=content_type)
    assert answer.status_code == 415
    with translation.override("vi"):
        said = translation.gettext("Send the inputs as JSON, with Content-Type: application/json.")
    assert answer.json()["detail"] == said
    assert said != "Send the inputs as JSON, with Content-Type: application/json."
    ok = client.post("/api/v1/check", batch, content_type="application/json; charset=utf-8")
    assert ok.status_code == 200 and len(ok.json()["results"]) == 100
