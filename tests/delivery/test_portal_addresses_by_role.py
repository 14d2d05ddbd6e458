"""The portal's notification and Zalo addresses × every role and anonymous × GET and POST:
only a signed-in person on a roster may write, and nobody else learns the addresses exist.
The digest's unsubscribe page and the Zalo webhook answer a token or Zalo's signature, never
a session: every role and anonymous meet the same answers."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.delivery import digest, zalo_webhook
from chinhthong.delivery.models import DigestOptOut, PushSubscription, ZaloLinkCode
from tests.delivery.zalo_standin import text_event
from tests.reach.factories import make_staff, make_tree, make_user

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


@pytest.mark.parametrize("role", [None, *roles.PERMISSIONS])
def test_the_digest_unsubscribe_answers_its_token_not_the_session(role):
    """A session, whatever its role, neither opens the page without the person's token nor
    widens what a token does: it unsubscribes its own person and no one else."""
    tree = make_tree()
    person = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    other = make_staff(tree["CP-CT"], "Trần Thị Bình")
    client = Client()
    if role is not None:
        client.force_login(make_user(role))
    forged = digest.unsubscribe_token(person)[:-2] + "xx"
    for url in ("/thu-tong-hop/huy/khong-hop-le/", f"/thu-tong-hop/huy/{forged}/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "unsubscribe"}).status_code == 404
    assert not DigestOptOut.objects.exists()
    url = f"/thu-tong-hop/huy/{digest.unsubscribe_token(person)}/"
    assert client.post(url, {"action": "unsubscribe"}).status_code == 200
    assert list(DigestOptOut.objects.values_list("staff_id", flat=True)) == [person.pk]
    assert other.pk not in digest.opted_out()


@pytest.mark.parametrize("role", [None, *roles.PERMISSIONS])
def test_the_zalo_webhook_answers_zalos_signature_not_the_session(role, settings):
    settings.ZALO_APP_ID, settings.ZALO_OA_SECRET = "1234567890", "oa-secret-Kh0a-BiMat"
    person = make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")
    code = zalo_webhook.new_link_code(person)
    client = Client(enforce_csrf_checks=True)
    if role is not None:
        client.force_login(make_user(role))
    body, _headers = text_event("1234567890", "wrong-secret", user_id="8000123", text=code.code)
    assert client.get("/zalo/webhook/").status_code == 405
    assert client.post("/zalo/webhook/", body, "application/json").status_code == 403
    person.refresh_from_db()
    assert person.zalo_id == ""
