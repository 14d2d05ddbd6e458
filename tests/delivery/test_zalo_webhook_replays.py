"""Signed Zalo events posted again by someone who saw them: an old "unfollow" must not unlink a
staff member who linked their account again since. An event is taken only while its own
timestamp is recent (an hour by default, CHINHTHONG_ZALO_EVENT_MAX_AGE_SECONDS) and only once;
a copy (Zalo sends one when it got no answer in time) is acknowledged without acting."""

import time

import pytest
from django.test import Client

from chinhthong.delivery import zalo_webhook
from tests.delivery.test_zalo_webhook import APP_ID, APP_SECRET, FOLLOWER, OA_SECRET, WEBHOOK
from tests.delivery.zalo_standin import signed_event, text_event
from tests.reach.factories import make_staff, make_tree

MINUTE_MS = 60_000


@pytest.fixture
def configured(settings):
    settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = APP_ID, APP_SECRET
    settings.ZALO_OA_SECRET = OA_SECRET


@pytest.fixture
def person(db):
    return make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")


def _post(signed):
    body, headers = signed
    return Client().post(WEBHOOK, body, content_type="application/json", headers=headers)


def _link(person) -> None:
    code = zalo_webhook.new_link_code(person)
    answer = _post(text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=code.code))
    assert answer.json() == {"ok": True}
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER


def _unfollow(timestamp: str | None = None):
    return signed_event(
        APP_ID,
        OA_SECRET,
        "unfollow",
        follower={"id": FOLLOWER},
        oa_id="4000",
        source="oa_profile",
        timestamp=timestamp,
    )


def _ago(minutes: float) -> str:
    return str(int(time.time() * 1000 - minutes * MINUTE_MS))


def test_a_replayed_unfollow_does_not_unlink_someone_who_linked_again(configured, person):
    _link(person)
    unfollow = _unfollow()
    assert _post(unfollow).json() == {"ok": True}
    person.refresh_from_db()
    assert person.zalo_id == ""
    _link(person)
    changes = person.history.count()

    replayed = _post(unfollow)  # the same body, its genuine signature

    assert replayed.status_code == 200
    assert replayed.json() == {"ok": True, "duplicate": True}
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER
    assert person.history.count() == changes


@pytest.mark.parametrize(
    "timestamp",
    ["0", 61, 24 * 60, -10, "1" + "0" * 400, "", "hôm qua", "-5"],
)
def test_events_stamped_long_ago_or_ahead_of_now_are_refused(configured, person, timestamp):
    if isinstance(timestamp, int):  # minutes ago (ahead when negative), from now
        timestamp = _ago(timestamp)
    _link(person)
    answer = _post(_unfollow(timestamp))
    assert answer.status_code in (400, 403)  # no timestamp at all fails the signature check
    if timestamp:
        assert answer.status_code == 400
        assert "not recent" in answer.json()["error"]
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER


def test_an_event_from_the_last_hour_is_taken(configured, person):
    _link(person)
    assert _post(_unfollow(_ago(59))).json() == {"ok": True}
    person.refresh_from_db()
    assert person.zalo_id == ""


def test_the_age_limit_is_a_setting(configured, person, settings):
    """After a long outage an operator may take Zalo's late events: three hours here."""
    settings.ZALO_EVENT_MAX_AGE_SECONDS = 3 * 3600
    _link(person)
    assert _post(_unfollow(_ago(2 * 60))).json() == {"ok": True}
    person.refresh_from_db()
    assert person.zalo_id == ""


def test_a_copy_of_a_link_event_links_once(configured, person):
    """Zalo sends an event again when it had no answer in time: the copy changes nothing,
    even after the person used a new code in between."""
    code = zalo_webhook.new_link_code(person)
    first = text_event(APP_ID, OA_SECRET, user_id=FOLLOWER, text=code.code)
    assert _post(first).json() == {"ok": True}
    assert _post(first).json() == {"ok": True, "duplicate": True}
    person.refresh_from_db()
    assert person.zalo_id == FOLLOWER
    assert person.history.filter(history_change_reason="Zalo account linked by code").count() == 1
