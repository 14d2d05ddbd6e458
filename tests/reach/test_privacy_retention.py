"""Retention (docs/privacy.md): staff activity and finished deliveries older than
CHINHTHONG_REACH_RETENTION_DAYS are deleted every day; what a person is now (their latest app
declaration and its confirmation) stays while they are on a roster."""

import datetime as dt
import os
import subprocess

import pytest
from django.utils import timezone

from chinhthong.config import schedule
from chinhthong.delivery import services as delivery
from chinhthong.delivery.models import Channel, Delivery, Status
from chinhthong.reach import events, organisation, tasks
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.processes import CHINHTHONG
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def people():
    tree = make_tree()
    return make_staff(tree["CP-CT"], "Nguyễn Văn An"), make_staff(tree["HL-BC"], "Trần Thị Bình")


def _kinds(staff) -> list[tuple[str, dt.date]]:
    found = ReachEvent.objects.filter(staff=staff).order_by("day", "kind")
    return list(found.values_list("kind", "day"))


def test_activity_older_than_the_retention_is_deleted(people, settings):
    an, binh = people
    bulletin = publish_bulletin()
    now = timezone.now()
    old, recent = now - 401 * DAY, now - 399 * DAY
    events.record_access(an, at=old)
    events.record_read(an, bulletin, via=Via.PERSONAL_LINK, at=old)
    events.record_share(an, bulletin, via=Via.ZALO, at=old)
    events.record_share_visit(an.share_code, bulletin, visitor="203.0.113.1", at=old)
    events.record_access(an, at=recent)
    events.record_share(binh, bulletin, via=Via.FACEBOOK, at=recent)
    assert settings.REACH_RETENTION_DAYS == 400

    assert tasks.prune_expired(now=now)["events"] == 4
    assert _kinds(an) == [(EventKind.ACCESS, timezone.localdate(recent))]
    assert _kinds(binh) == [(EventKind.SHARED, timezone.localdate(recent))]
    assert tasks.prune_expired(now=now)["events"] == 0


def test_the_latest_app_declaration_stays_while_the_person_is_on_a_roster(people):
    an, binh = people
    now = timezone.now()
    first, second = now, now + 10 * DAY
    for staff in (an, binh):
        events.declare_app_installed(staff, on=timezone.localdate(first), at=first)
        events.declare_app_installed(staff, on=timezone.localdate(second), at=second)
        events.confirm_app_installed(staff, manager=None, at=second)
    organisation.deactivate_staff(binh)
    later = second + 500 * DAY
    assert tasks.prune_expired(now=later)["events"] == 4  # An's first; all three of Bình's
    assert _kinds(an) == [
        (EventKind.APP_CONFIRMED, timezone.localdate(second)),
        (EventKind.APP_INSTALLED, timezone.localdate(second)),
    ]
    assert events.app_installed_on(an) == timezone.localdate(second)
    assert _kinds(binh) == []


def test_finished_deliveries_older_than_the_retention_are_deleted(people):
    bulletin = publish_bulletin(urgent=True)
    made = delivery.fan_out(bulletin)
    assert made[Channel.PORTAL] == 2 and made[Channel.EMAIL] == 2
    kept_soon = tasks.prune_expired(now=timezone.now() + 399 * DAY)
    assert kept_soon["deliveries"] == 0
    later = tasks.prune_expired(now=timezone.now() + 401 * DAY)
    # The portal's rows are delivered (final); the emails still waiting to be sent stay.
    assert later["deliveries"] == 2
    remaining = Delivery.objects.values_list("channel", "status")
    assert sorted(remaining) == [(Channel.EMAIL, Status.CREATED)] * 2


def test_the_prune_runs_every_day():
    assert (86400, "chinhthong.reach.tasks.prune_reach_records") in schedule.PERIODIC
    nothing = {"events": 0, "deliveries": 0, "summaries": 0, "codes": 0}
    assert tasks.prune_reach_records.call() == nothing


def test_spent_codes_links_and_old_summaries_go_too(people):
    """One-time Zalo codes and log-in links a day after they expired, used or not; managers'
    weekly summaries after the retention."""
    from chinhthong.accounts import login_links
    from chinhthong.accounts.models import LoginLink
    from chinhthong.delivery import zalo_webhook
    from chinhthong.delivery.models import ZaloLinkCode
    from chinhthong.reach.models import WeeklySummary

    an, _binh = people
    zalo_webhook.new_link_code(an)
    login_links.issue(an.user)
    WeeklySummary.objects.create(user=an.user, week=timezone.localdate())
    soon = tasks.prune_expired(now=timezone.now() + DAY / 2)
    assert (soon["codes"], soon["summaries"]) == (0, 0)
    later = tasks.prune_expired(now=timezone.now() + 2 * DAY)
    assert later["codes"] == 2 and not ZaloLinkCode.objects.exists()
    assert not LoginLink.objects.exists() and WeeklySummary.objects.exists()
    assert tasks.prune_expired(now=timezone.now() + 401 * DAY)["summaries"] == 1


def test_a_retention_shorter_than_the_dashboards_look_back_stops_the_program(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))},
        "CHINHTHONG_REACH_RETENTION_DAYS": "30",
        "CHINHTHONG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings",
    }
    ran = subprocess.run(
        [*CHINHTHONG, "manage", "check"], env=env, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode != 0
    assert "CHINHTHONG_REACH_RETENTION_DAYS must be at least 91" in ran.stderr + ran.stdout
