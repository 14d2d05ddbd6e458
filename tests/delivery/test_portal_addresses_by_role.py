"""The portal's notification and Zalo addresses × every role and anonymous × GET and POST:
only a signed-in person on a roster may write, and nobody else learns the addresses exist."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.delivery.models import PushSubscription, ZaloLinkCode
from tests.reach.factories import make_user

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/cong-chuc/thong-bao/bat/",
    "/cong-chuc/thong-bao/tat/",
    "/cong-chuc/zalo/ma-lien-ket/",
]
BODY = '{"endpoint": "https://push.example.vn/abc", "keys": {"p256dh": "x", "auth": "y"}}'


@pytest.mark.parametrize("role", [None, *roles.PERMISSIONS])
@pytest.mark.parametrize("url", ADDRESSES)
def test_no_one_off_a_roster_writes_anything(role, url):
    client = Client()
    if role is not None:
        client.force_login(make_user(role))
    to_log_in = role is None and url.endswith("ma-lien-ket/")
    assert client.get(url).status_code == (302 if to_log_in else 405)
    answer = client.post(url, BODY, content_type="application/json")
    assert answer.status_code == (302 if to_log_in else 404)
    assert not PushSubscription.objects.exists() and not ZaloLinkCode.objects.exists()
