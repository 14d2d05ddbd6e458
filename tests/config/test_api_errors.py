"""A program calling the API is answered in JSON whatever goes wrong, in its language."""

import json

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


def test_the_openapi_document_names_each_status_once(client):
    """Swagger UI refuses a document with a key written twice ("duplicated mapping key"), as
    a status declared as a number and added again as a string would be."""

    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=refuse_duplicates)
    assert set(document["paths"]["/api/v1/check"]["post"]["responses"]) >= {"200", "413", "429"}
