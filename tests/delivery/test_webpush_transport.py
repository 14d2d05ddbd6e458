"""Web push to a push service on loopback that decrypts every payload with the browser's own
private key and verifies the VAPID signature (tests/delivery/push_service.py): what a staff
member's browser would show, and what becomes of subscriptions the service says are gone."""

import datetime as dt
import zoneinfo

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhthong.delivery import push, vapid
from chinhthong.delivery.models import PushSubscription
from chinhthong.delivery.transports.base import Deferred, Message, Sent, TransportError
from chinhthong.delivery.transports.webpush import WebPushTransport
from tests.delivery.push_service import PushService
from tests.reach.factories import make_staff, make_tree

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SUBJECT = "mailto:thongtin@quangninh.gov.vn"


@pytest.fixture
def vapid_key(tmp_path, settings):
    settings.VAPID_KEY_FILE = tmp_path / "keys" / "vapid-p256.pem"
    settings.VAPID_SUBJECT = SUBJECT
    settings.QUIET_HOURS = ""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    return settings.VAPID_KEY_FILE


@pytest.fixture
def service(vapid_key):
    with PushService(vapid.public_key()) as running:
        yield running
    assert not running.problems, running.problems


@pytest.fixture
def person(db):
    return make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")


def _subscribed(service, person, **answer):
    endpoint, browser = service.subscribe(**answer)
    return push.subscribe(person, endpoint=endpoint, **browser.keys())


def _message(urgent=False) -> Message:
    return Message(
        subject="Cảnh báo lừa đảo qua đường link giả",
        text="Không bấm vào đường link lạ. " * 40,
        url="http://127.0.0.1:8000/cong-chuc/doc/abc/",
        urgent=urgent,
    )


def test_the_browser_decrypts_what_was_sent_and_the_signature_verifies(service, person):
    _subscribed(service, person)
    sent = WebPushTransport().send(_message(), person)
    assert isinstance(sent, Sent)
    assert sent.provider_id == f"{service.origin}/m/1"
    (received,) = service.received
    assert received.payload["title"] == "Cảnh báo lừa đảo qua đường link giả"
    assert received.payload["body"].startswith("Không bấm vào đường link lạ.")
    assert len(received.payload["body"]) <= push.BODY_CHARACTERS
    assert received.payload["url"] == "http://127.0.0.1:8000/cong-chuc/doc/abc/"
    assert received.payload["urgent"] is False
    assert received.claims["sub"] == SUBJECT
    assert received.headers["urgency"] == "normal"
    assert received.headers["ttl"] == str(24 * 3600)


def test_urgent_bulletins_go_with_high_urgency(service, person):
    _subscribed(service, person)
    WebPushTransport().send(_message(urgent=True), person)
    (received,) = service.received
    assert received.headers["urgency"] == "high"
    assert received.payload["urgent"] is True


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_service_says_is_gone_is_deleted(service, person, status):
    _subscribed(service, person, status=status)
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert refused.value.permanent
    assert not PushSubscription.objects.filter(staff=person).exists()


def test_apples_403_deletes_the_subscription(service, person):
    _subscribed(service, person, status=403, body=b'{"reason":"BadJwtToken"}')
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert refused.value.permanent
    assert "BadJwtToken" in refused.value.reason
    assert not PushSubscription.objects.exists()


def test_a_busy_service_is_tried_again_after_the_wait_it_asks(service, person):
    _subscribed(service, person, status=429, headers={"Retry-After": "120"})
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert not refused.value.permanent and not refused.value.technical
    assert refused.value.retry_after == 120
    assert PushSubscription.objects.filter(staff=person).count() == 1


def test_a_failing_service_is_a_temporary_failure(service, person):
    _subscribed(service, person, status=503)
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert not refused.value.permanent and not refused.value.technical


@pytest.mark.parametrize("status", [400, 413])
def test_a_request_the_service_refuses_is_our_technical_failure(service, person, status):
    _subscribed(service, person, status=status)
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert refused.value.technical
    assert PushSubscription.objects.filter(staff=person).count() == 1


def test_one_browser_that_took_it_is_enough_and_a_gone_one_is_removed(service, person):
    gone = _subscribed(service, person, status=410)
    _subscribed(service, person)
    assert isinstance(WebPushTransport().send(_message(), person), Sent)
    assert len(service.received) == 2
    assert list(PushSubscription.objects.filter(staff=person)) != [gone]
    assert PushSubscription.objects.filter(staff=person).count() == 1


def test_quiet_hours_defer_what_is_not_urgent(service, person, settings):
    _subscribed(service, person)
    settings.QUIET_HOURS = "00:00-23:59"
    with pytest.raises(Deferred) as deferred:
        WebPushTransport().send(_message(), person)
    assert deferred.value.until > timezone.now()
    assert not service.received
    WebPushTransport().send(_message(urgent=True), person)
    assert len(service.received) == 1


def test_an_https_subject_is_accepted(service, person, settings):
    settings.VAPID_SUBJECT = "https://congchuc.quangninh.gov.vn"
    _subscribed(service, person)
    WebPushTransport().send(_message(), person)
    assert service.received[0].claims["sub"] == "https://congchuc.quangninh.gov.vn"


def test_a_subject_push_services_refuse_sends_nothing(service, person, settings):
    _subscribed(service, person)
    refused_subjects = (
        "thongtin@quangninh.gov.vn",
        "mailto:chinhthong@localhost",
        "mailto: <a@b.vn>",
        "https://localhost",
        "https://congchuc.quangninh.gov.vn/lien-he",
    )
    for subject in refused_subjects:
        settings.VAPID_SUBJECT = subject
        with pytest.raises(TransportError) as refused:
            WebPushTransport().send(_message(), person)
        assert refused.value.technical
    assert not service.received


def test_push_services_on_private_addresses_are_not_reached(service, person, settings):
    """Nor tried again: the subscription is removed (tests/delivery/
    test_webpush_refused_subscriptions.py)."""
    _subscribed(service, person)
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert refused.value.permanent
    assert not service.received
    assert not PushSubscription.objects.exists()


def test_available_only_with_a_key_and_a_subscription(service, person, settings, tmp_path):
    assert not WebPushTransport().available_for(person)
    _subscribed(service, person)
    assert WebPushTransport().available_for(person)
    settings.VAPID_KEY_FILE = tmp_path / "none.pem"
    assert not WebPushTransport().available_for(person)


@override_settings(QUIET_HOURS="21:00-06:30")
@pytest.mark.parametrize(
    ("clock", "until"),
    [
        ((2026, 12, 5, 22, 15), (2026, 12, 6, 6, 30)),
        ((2026, 12, 6, 5, 0), (2026, 12, 6, 6, 30)),
        ((2026, 12, 5, 20, 59), None),
        ((2026, 12, 6, 6, 30), None),
    ],
)
def test_quiet_hours_run_across_midnight_in_local_time(clock, until):
    from chinhthong.delivery import quiet_hours

    now = dt.datetime(*clock, tzinfo=LOCAL)
    expected = dt.datetime(*until, tzinfo=LOCAL) if until else None
    assert quiet_hours.quiet_until(now) == expected


def test_the_stand_in_refuses_a_push_signed_with_another_key(service, person, tmp_path, settings):
    """The push service checks what it is given: a token signed with a key other than the
    one the browser subscribed with is refused (so the passing tests above prove signing)."""
    _subscribed(service, person)
    settings.VAPID_KEY_FILE = tmp_path / "other.pem"
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    with pytest.raises(TransportError) as refused:
        WebPushTransport().send(_message(), person)
    assert refused.value.technical
    assert "another key" in service.problems.pop()
    assert not service.received
