"""A push subscription whose address cannot be used — an IPv6 literal that no VAPID token can
name (http://[::1]:8012/), a private address, plain http once the site runs in production —
is refused when a browser offers it, and one already stored stops nothing: each of the
person's browsers succeeds or fails on its own, the unusable one is removed at once (never
retried), and the reason operators read in the back office is Vietnamese.

The push service is a real one on loopback that decrypts and verifies every push
(tests/delivery/push_service.py); bulletins go out through the delivery queue."""

import json

import pytest
from django.test import Client, override_settings

from chinhthong.accounts import roles
from chinhthong.delivery import vapid
from chinhthong.delivery.models import Channel, Delivery, PushSubscription, Status
from tests.delivery.push_service import Browser, PushService
from tests.reach.factories import make_staff, make_tree, make_user, publish_bulletin

SUBSCRIBE = "/cong-chuc/thong-bao/bat/"
ATTACK = "http://[::1]:8012/"
REMOVED = "Đã xóa đăng ký của trình duyệt này"
TITLE = "Cảnh báo lừa đảo qua đường link giả"


@pytest.fixture
def service(tmp_path, settings):
    settings.VAPID_KEY_FILE = tmp_path / "keys" / "vapid-p256.pem"
    settings.VAPID_SUBJECT = "mailto:thongtin@quangninh.gov.vn"
    settings.QUIET_HOURS = ""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    with PushService(vapid.public_key()) as running:
        yield running
    assert not running.problems, running.problems


@pytest.fixture
def person(db):
    return make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")


def _portal(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _subscribe(client, endpoint, browser=None):
    body = json.dumps({"endpoint": endpoint, "keys": (browser or Browser()).keys()})
    return client.post(SUBSCRIBE, body, content_type="application/json")


def _stored_before_the_check(person, endpoint: str) -> None:
    """A subscription saved by an earlier version, which took any http address outside
    production: the row the intruder's request left (no service stores one any more)."""
    PushSubscription.objects.create(staff=person, endpoint=endpoint, **Browser().keys())


def _webpush_row(person) -> Delivery:
    return Delivery.objects.get(staff=person, channel=Channel.WEBPUSH)


@pytest.mark.parametrize("endpoint", [ATTACK, "https://[2001:db8::1]/push/abc"])
def test_an_address_no_push_token_can_name_is_refused_when_offered(person, endpoint):
    answer = _subscribe(_portal(person), endpoint)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "Địa chỉ nhận thông báo phải nêu dịch vụ thông báo bằng tên máy chủ.",
        "code": "push_endpoint",
    }
    assert not PushSubscription.objects.exists()


def test_one_unusable_browser_does_not_stop_the_others(service, person, committed):
    portal = _portal(person)
    endpoint, browser = service.subscribe()
    assert _subscribe(portal, endpoint, browser).status_code == 200
    assert _subscribe(portal, "http://10.20.30.40/push/abc").status_code == 200  # not production
    _stored_before_the_check(person, ATTACK)

    with committed():
        publish_bulletin(TITLE)

    (received,) = service.received
    assert received.payload["title"] == TITLE
    row = _webpush_row(person)
    assert row.status == Status.SENDING  # handed to the push service; no receipt comes back
    assert row.reason == ""
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [endpoint]


@pytest.mark.parametrize("unusable", ["ipv6", "private", "http-in-production"])
def test_a_person_with_only_unusable_browsers_is_a_permanent_failure_said_in_vietnamese(
    service, person, committed, settings, unusable
):
    if unusable == "ipv6":
        _stored_before_the_check(person, ATTACK)
    elif unusable == "private":
        assert _subscribe(_portal(person), "http://10.20.30.40/push/abc").status_code == 200
    else:
        endpoint, browser = service.subscribe()
        assert _subscribe(_portal(person), endpoint, browser).status_code == 200
        settings.PRODUCTION = True

    with committed():
        bulletin = publish_bulletin(TITLE)

    row = _webpush_row(person)
    assert row.status == Status.PERMANENT_FAILURE
    assert row.attempts == 1 and row.next_attempt_at is None  # not retried
    assert row.reason.startswith(REMOVED)
    assert "aud" not in row.reason and "Missing" not in row.reason
    assert not PushSubscription.objects.exists()
    assert not service.received

    with override_settings(PRODUCTION=False):
        admin = Client()
        admin.force_login(make_user(roles.ADMINISTRATOR))
        listed = admin.get(
            "/quan-tri/delivery/delivery/",
            {"bulletin": bulletin.pk, "channel__exact": Channel.WEBPUSH},
        )
    assert listed.status_code == 200
    assert REMOVED in listed.content.decode()
