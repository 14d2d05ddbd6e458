"""A program calling the API is answered in JSON whatever goes wrong, in its language."""

import pytest
from django.utils import translation


def test_a_method_an_operation_does_not_take_is_answered_in_json(client, db):
    answer = client.get("/api/v1/check", HTTP_ACCEPT_LANGUAGE="vi")
    assert answer.status_code == 405
    assert answer["Content-Type"].startswith("application/json")
    assert answer["Allow"] == "POST"
    with translation.override("vi"):
        expected = translation.gettext(
            "This address does not take %(method)s; it takes %(allowed)s."
        ) % {"method": "GET", "allowed": "POST"}
    assert answer.json() == {"detail": expected}
    assert "GET" in expected and expected.startswith("Địa chỉ")


@pytest.mark.parametrize("path", ["/api/v1/khong-co", "/api/v2/check", "/api/v1/channels/x/y"])
def test_an_address_the_api_does_not_have_is_answered_in_json(client, db, path):
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "The API has no such address."}


def test_pages_keep_their_own_not_found_page(client, db):
    answer = client.get("/khong-co/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
