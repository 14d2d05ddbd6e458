"""The Zalo channel against a stand-in of the Official Account platform on loopback
(tests/delivery/zalo_standin.py): consultation messages to linked followers, ZNS template
messages to phone numbers, single-use refresh tokens, error codes, the daily quota and quiet
hours."""

import datetime as dt

import pytest
from django.utils import timezone

from chinhthong.delivery import zalo
from chinhthong.delivery.models import ZaloDailyCount, ZaloToken
from chinhthong.delivery.transports.base import Deferred, Message, Sent, TransportError
from chinhthong.delivery.transports.zalo import ZaloTransport
from tests.delivery.zalo_standin import ZaloStandIn
from tests.reach.factories import make_staff, make_tree

APP_ID, APP_SECRET = "1234567890", "Sk3cR3t-uNg-dUng_42"
FOLLOWER, PHONE = "8000123", "0912345678"
TEMPLATE = "265431"


@pytest.fixture
def standin(settings, db):
    with ZaloStandIn(app_id=APP_ID, app_secret=APP_SECRET) as running:
        settings.ZALO_API_URL = settings.ZALO_ZNS_URL = settings.ZALO_OAUTH_URL = running.url
        settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = APP_ID, APP_SECRET
        settings.ZALO_ZNS_TEMPLATE_ID = ""
        settings.ZALO_DAILY_QUOTA = 0
        settings.QUIET_HOURS = ""
        settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        running.tokens = running.issue()
        zalo.seed_tokens(*running.tokens)
        yield running


@pytest.fixture
def person(db):
    staff = make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")
    staff.zalo_id = FOLLOWER
    staff.phone = PHONE
    staff.save()
    return staff


def _message(urgent=False) -> Message:
    return Message(
        subject="Cảnh báo lừa đảo qua đường link giả",
        text="Không bấm vào đường link lạ trong tin nhắn.",
        url="https://congchuc.quangninh.gov.vn/cong-chuc/doc/abc/",
        urgent=urgent,
    )


def test_a_linked_follower_gets_a_consultation_message(standin, person):
    standin.users[FOLLOWER] = 0
    sent = ZaloTransport().send(_message(), person)
    (message,) = standin.sent
    assert sent == Sent(provider_id=message["id"])
    assert message["to"] == FOLLOWER
    assert message["text"].startswith("Cảnh báo lừa đảo qua đường link giả")
    assert "https://congchuc.quangninh.gov.vn/cong-chuc/doc/abc/" in message["text"]


def test_a_refused_access_token_is_refreshed_once_and_the_message_goes(standin, person):
    standin.users[FOLLOWER] = 0
    old_access, old_refresh = standin.tokens
    standin.expire(old_access)  # Zalo no longer takes it, though we thought it good
    ZaloTransport().send(_message(), person)
    assert standin.refresh_calls == 1
    assert len(standin.sent) == 1
    row = ZaloToken.objects.get()
    assert row.access_token != old_access and row.refresh_token != old_refresh
    assert old_refresh in standin.spent  # single use: the new one replaced it
    ZaloTransport().send(_message(), person)  # the new token is used as is
    assert standin.refresh_calls == 1


def test_a_token_about_to_end_is_refreshed_before_it_is_used(standin, person):
    standin.users[FOLLOWER] = 0
    ZaloToken.objects.update(access_expires_at=timezone.now() + dt.timedelta(minutes=1))
    ZaloTransport().send(_message(), person)
    assert standin.refresh_calls == 1
    paths = [path for path, _body in standin.requests]
    assert paths == ["/v4/oa/access_token", "/v3.0/oa/message/cs"]


def test_a_spent_refresh_token_stops_zalo_until_new_tokens_are_seeded(standin, person):
    standin.users[FOLLOWER] = 0
    standin.spent.add(standin.tokens[1])
    standin.expire(standin.tokens[0])
    with pytest.raises(TransportError) as refused:
        ZaloTransport().send(_message(), person)
    assert refused.value.technical
    assert "zalo-token" in refused.value.reason
    assert not standin.sent


@pytest.mark.parametrize("code", [-213, -217, -230])
def test_a_follower_zalo_cannot_reach_is_a_permanent_failure(standin, person, code):
    standin.users[FOLLOWER] = code
    with pytest.raises(TransportError) as refused:
        ZaloTransport().send(_message(), person)
    assert refused.value.permanent and not refused.value.technical
    assert str(code) in refused.value.reason


def test_outside_the_free_window_a_zns_template_goes_to_the_phone(standin, person, settings):
    settings.ZALO_ZNS_TEMPLATE_ID = TEMPLATE
    standin.users[FOLLOWER] = -230
    standin.phones["84912345678"] = 0
    sent = ZaloTransport().send(_message(), person)
    (message,) = standin.sent
    assert message["kind"] == "zns" and message["to"] == "84912345678"
    assert message["template_id"] == TEMPLATE
    assert message["data"] == {
        "title": "Cảnh báo lừa đảo qua đường link giả",
        "url": "https://congchuc.quangninh.gov.vn/cong-chuc/doc/abc/",
    }
    assert sent.provider_id == message["id"]


def test_staff_without_a_linked_account_are_reached_by_zns(standin, person, settings):
    settings.ZALO_ZNS_TEMPLATE_ID = TEMPLATE
    person.zalo_id = ""
    standin.phones["84912345678"] = 0
    assert ZaloTransport().available_for(person)
    ZaloTransport().send(_message(), person)
    assert [m["kind"] for m in standin.sent] == ["zns"]
    standin.phones["84912345678"] = -118  # no Zalo account on that number
    with pytest.raises(TransportError) as refused:
        ZaloTransport().send(_message(), person)
    assert refused.value.permanent


def test_who_zalo_can_reach(standin, person, settings):
    assert ZaloTransport().available_for(person)
    person.zalo_id = ""
    assert not ZaloTransport().available_for(person)  # a phone number needs a ZNS template
    settings.ZALO_ZNS_TEMPLATE_ID = TEMPLATE
    assert ZaloTransport().available_for(person)
    settings.ZALO_APP_ID = ""
    assert not ZaloTransport().available_for(person)
    settings.ZALO_APP_ID = APP_ID
    ZaloToken.objects.all().delete()  # no tokens seeded
    assert not ZaloTransport().available_for(person)


def test_the_daily_quota_defers_what_exceeds_it_until_tomorrow(standin, person, settings):
    settings.ZALO_DAILY_QUOTA = 1
    standin.users[FOLLOWER] = -213
    with pytest.raises(TransportError):
        ZaloTransport().send(_message(), person)  # failed: its unit is given back
    standin.users[FOLLOWER] = 0
    ZaloTransport().send(_message(), person)
    with pytest.raises(Deferred) as deferred:
        ZaloTransport().send(_message(urgent=True), person)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert timezone.localtime(deferred.value.until) == dt.datetime.combine(
        tomorrow, dt.time(), tzinfo=timezone.get_current_timezone()
    )
    assert len(standin.sent) == 1
    assert ZaloDailyCount.objects.get(day=timezone.localdate()).sent == 1


def test_quiet_hours_wait_except_for_urgent_bulletins(standin, person, settings):
    standin.users[FOLLOWER] = 0
    settings.QUIET_HOURS = "00:00-23:59"
    with pytest.raises(Deferred):
        ZaloTransport().send(_message(), person)
    assert not standin.sent
    ZaloTransport().send(_message(urgent=True), person)
    assert len(standin.sent) == 1


def test_zalo_out_of_reach_is_a_temporary_failure(standin, person, settings):
    standin.__exit__()  # the platform does not answer
    with pytest.raises(TransportError) as refused:
        ZaloTransport().send(_message(), person)
    assert not refused.value.permanent and not refused.value.technical


def test_zalo_on_a_private_address_is_not_reached_unless_allowed(standin, person, settings):
    standin.users[FOLLOWER] = 0
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(TransportError):
        ZaloTransport().send(_message(), person)
    assert not standin.requests
