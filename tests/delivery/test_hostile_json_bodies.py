"""JSON bodies built to break the parser — brackets nested a thousand deep, which make
Python's json module raise RecursionError — posted to the delivery app's JSON endpoints: the
Zalo webhook (anyone may post to it; the body is read before the signature can be checked) and
the portal's push switches (a signed-in staff member). Each answers 400 saying the body is not
JSON, and nothing changes."""

import json

import pytest
from django.test import Client

from chinhthong.delivery.models import PushSubscription
from tests.delivery.push_service import Browser
from tests.delivery.test_zalo_webhook import APP_ID, APP_SECRET, OA_SECRET, WEBHOOK
from tests.reach.factories import make_staff, make_tree

NESTED = "[" * 1000 + "]" * 1000  # python3 -c "print('['*1000+']'*1000)"
HOSTILE = [
    NESTED,
    '{"endpoint": ' + NESTED + "}",
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 500 + "1" + "}" * 500,
    json.dumps({"endpoint": "x"}).encode("utf-16"),  # JSON, but not in UTF-8
]


@pytest.fixture
def person(db):
    return make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")


@pytest.mark.parametrize("body", HOSTILE[:2] + HOSTILE[3:])
def test_the_zalo_webhook_answers_400_to_what_is_not_an_event(db, settings, body):
    settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = APP_ID, APP_SECRET
    settings.ZALO_OA_SECRET = OA_SECRET
    answer = Client().post(WEBHOOK, body, content_type="application/json")
    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error"]


def test_a_huge_nested_body_is_refused_by_its_size_first(db, settings):
    settings.ZALO_APP_ID, settings.ZALO_OA_SECRET = APP_ID, OA_SECRET
    answer = Client().post(WEBHOOK, HOSTILE[2], content_type="application/json")
    assert answer.status_code == 413


@pytest.mark.parametrize("url", ["/cong-chuc/thong-bao/bat/", "/cong-chuc/thong-bao/tat/"])
@pytest.mark.parametrize("body", HOSTILE[:2] + HOSTILE[3:])
def test_the_push_switches_answer_400_in_vietnamese(person, url, body):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    client.get("/cong-chuc/")  # the portal page sets the CSRF cookie, as a browser gets it
    token = client.cookies["csrftoken"].value
    answer = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert answer.status_code == 400
    assert answer.json() == {"error": "Yêu cầu không phải JSON hợp lệ.", "code": "not_json"}
    # The same client, with a real subscription: still works.
    good = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": Browser().keys()}
    answer = client.post(
        url, json.dumps(good), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 200
    assert PushSubscription.objects.filter(staff=person).count() == (1 if "bat" in url else 0)
