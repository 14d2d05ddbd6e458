"""The Official Account's webhook, driven with events signed as Zalo signs them: staff link
their Zalo account by sending the portal's code; "received" and "seen" events of a bulletin
sent through the delivery queue mark it delivered and read."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from chinhthong.delivery import services, zalo, zalo_webhook
from chinhthong.delivery.models import Channel, Delivery, Status, ZaloLinkCode
from chinhthong.reach import events
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.delivery.zalo_standin import (
    ZaloStandIn,
    received_event,
    seen_event,
    signed_event,
    text_event,
)
from tests.reach.factories import make_staff, make_tree, publish_bulletin

APP_ID, APP_SECRET, OA_SECRET = "1234567890", "Sk3cR3t-uNg-dUng_42", "oa-secret-Kh0a-BiMat"
WEBHOOK = "/zalo/webhook/"
FOLLOWER = "8000123"


@pytest.fixture
def configured(settings):
    settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = APP_ID, APP_SECRET
    settings.ZALO_OA_SECRET = OA_SECRET
    settings.ZALO_OA_URL = "https://zalo.me/4000"
    settings.QUIET_HOURS = ""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def person(tree):
    return make_staff(tree["CP-CT"], "Nguyễn Văn An")


def _event(client, signed):
    body, headers = signed
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


def _portal(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_a_staff_member_links_their_zalo_account_with_the_portals_code(configured, person):
    portal = _portal(person)
    answer = portal.post("/cong-chuc/zalo/ma-lien-ket/", {"next": "/cong-chuc/"})
    assert answer.status_code == 302 and answer["Location"] == "/cong-chuc/#zalo-link"
    code = ZaloLinkCode.objects.get(staff=person)
    assert code.expires_at > timezone.now() + dt.timedelta(minutes=20)
    # As typed on a phone: lower case, a dash in the middle, words around it.
    typed = f"mã của tôi là {code.code[:4].lower()}-{code.code[4:].lower()} nhé"
    assert _event(Client(), text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=typed)).json() == {
        "ok": True
    }
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER
    code.refresh_from_db()
    assert code.used_at is not None
    assert person.history.first().history_change_reason == "Zalo account linked by code"


def test_a_code_works_once_and_not_after_it_expires(configured, tree, person):
    code = zalo_webhook.new_link_code(person)
    _event(Client(), text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=code.code))
    _event(Client(), text_event(APP_ID, OA_SECRET, user_id="9999", text=code.code))
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER
    other = make_staff(tree["HL-BC"], "Trần Thị Bình")
    late = zalo_webhook.new_link_code(other)
    ZaloLinkCode.objects.filter(pk=late.pk).update(expires_at=timezone.now())
    _event(Client(), text_event(APP_ID, OA_SECRET, user_id="9999", text=late.code))
    other.refresh_from_db()
    assert other.zalo_id == ""


def test_a_zalo_account_belongs_to_one_person(configured, tree, person):
    other = make_staff(tree["HL-BC"], "Trần Thị Bình")
    for staff in (person, other):
        code = zalo_webhook.new_link_code(staff)
        _event(Client(), text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=code.code))
    person.refresh_from_db()
    other.refresh_from_db()
    assert (person.zalo_id, other.zalo_id) == ("", FOLLOWER)


def test_unfollowing_the_oa_unlinks_the_account(configured, person):
    person.zalo_id = FOLLOWER
    person.save()
    signed = signed_event(
        APP_ID, OA_SECRET, "unfollow", follower={"id": FOLLOWER}, oa_id="4000", source="oa_profile"
    )
    assert _event(Client(), signed).status_code == 200
    person.refresh_from_db()
    assert person.zalo_id == ""


def test_events_not_signed_by_zalo_change_nothing(configured, person):
    code = zalo_webhook.new_link_code(person)
    body, headers = text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=code.code)
    client = Client()
    forged = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    assert client.post(WEBHOOK, body, "application/json", headers=forged).status_code == 403
    assert client.post(WEBHOOK, body, "application/json").status_code == 403
    tampered = body.replace(FOLLOWER.encode(), b"6666")
    assert client.post(WEBHOOK, tampered, "application/json", headers=headers).status_code == 403
    other_app = text_event("999", OA_SECRET, user_id=FOLLOWER, text=code.code)
    assert _event(client, other_app).status_code == 403
    assert client.post(WEBHOOK, b"{not json", "application/json").status_code == 400
    assert client.post(WEBHOOK, b"[1, 2]", "application/json").status_code == 400
    utf16 = json.dumps({"app_id": APP_ID, "timestamp": "1"}).encode("utf-16")
    assert client.post(WEBHOOK, utf16, "application/json", headers=forged).status_code == 400
    assert client.get(WEBHOOK).status_code == 405
    huge = json.dumps({"app_id": APP_ID, "pad": "x" * 70_000})
    assert client.post(WEBHOOK, huge, "application/json").status_code == 413
    person.refresh_from_db()
    assert person.zalo_id == ""


def test_the_webhook_is_closed_until_zalo_is_set_up(db, settings, person):
    settings.ZALO_OA_SECRET = ""
    body, headers = text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text="ABCDEFGH")
    assert Client().post(WEBHOOK, body, "application/json", headers=headers).status_code == 404


def test_the_webhook_has_a_rate_limit_of_its_own(configured, person, settings):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    settings.PUBLIC_RATE_LIMIT = "1000/m"
    client = Client()
    answers = [
        _event(client, text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text="xin chào")).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]


def test_received_and_seen_events_are_delivery_and_read_evidence(
    configured, settings, person, django_capture_on_commit_callbacks
):
    with ZaloStandIn(app_id=APP_ID, app_secret=APP_SECRET) as platform:
        settings.ZALO_API_URL = settings.ZALO_ZNS_URL = settings.ZALO_OAUTH_URL = platform.url
        zalo.seed_tokens(*platform.issue())
        platform.users[FOLLOWER] = 0
        person.zalo_id = FOLLOWER
        person.save()
        bulletin = publish_bulletin("Cảnh báo lừa đảo qua đường link giả")
        with django_capture_on_commit_callbacks(execute=True):
            services.fan_out(bulletin)
        (message,) = platform.sent
    row = Delivery.objects.get(staff=person, channel=Channel.ZALO)
    assert row.provider_id == message["id"]
    assert row.status == Status.SENDING
    assert "Cảnh báo lừa đảo qua đường link giả" in message["text"]
    client = Client()
    answer = _event(
        client, received_event(APP_ID, OA_SECRET, user_id=FOLLOWER, message_id=row.provider_id)
    )
    assert answer.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.DELIVERED and row.delivered_at is not None
    assert not events.has_read(person, bulletin)
    _event(client, seen_event(APP_ID, OA_SECRET, user_id=FOLLOWER, message_ids=[row.provider_id]))
    assert events.has_read(person, bulletin)
    read = ReachEvent.objects.get(staff=person, kind=EventKind.READ)
    assert read.via == Via.ZALO
    # Zalo sends an event again: still one read.
    _event(client, seen_event(APP_ID, OA_SECRET, user_id=FOLLOWER, message_ids=[row.provider_id]))
    assert ReachEvent.objects.filter(staff=person, kind=EventKind.READ).count() == 1


def test_events_about_messages_that_are_not_ours_change_nothing(configured, person):
    signed = seen_event(APP_ID, OA_SECRET, user_id=FOLLOWER, message_ids=["khong-co", 5, None])
    assert _event(Client(), signed).status_code == 200
    assert not ReachEvent.objects.exists()


def test_the_portal_snippet_shows_the_code_to_send(configured, person):
    from django.template import Context, Template
    from django.test import RequestFactory

    template = Template('{% include "delivery/_zalo_link.html" %}')
    request = RequestFactory().get("/cong-chuc/")
    request.user = person.user
    shown = template.render(Context({"request": request}))
    assert "/cong-chuc/zalo/ma-lien-ket/" in shown and "<code>" not in shown
    code = zalo_webhook.new_link_code(person)
    shown = template.render(Context({"request": request}))
    assert f"<code>{code.code}</code>" in shown
    assert 'href="https://zalo.me/4000"' in shown
