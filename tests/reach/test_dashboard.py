"""A unit's figures (reach/dashboards.py) from what staff really did, recorded through the
services: per child unit with its subtree, the unit's own staff, the total; what happened under
the unit at the time, what people are under their unit now; the same figures whether the
tallies (reach/tallies.py) are made or not."""

import datetime as dt

import pytest
from django.utils import timezone

from chinhthong.bulletins import services as bulletins
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.reach import dashboards, events, organisation, tallies
from chinhthong.reach.models import DayTally, EventKind, ReachEvent, ReadTally
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    tree = make_tree()
    people = {
        "an": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "binh": make_staff(tree["CP-CP"], "Trần Thị Bình"),
        "chi": make_staff(tree["HL-BC"], "Lê Thị Chi"),
        "dung": make_staff(tree["CP"], "Phạm Văn Dũng"),
        "gia": make_staff(tree["QN"], "Võ Thị Gia"),
    }
    # Published with what follows the commit run (delivery: each person's portal shows it).
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = publish_bulletin("Cảnh báo lừa đảo qua đường link giả")
    bulletin.refresh_from_db()
    return {"tree": tree, "bulletin": bulletin, **people}


def _row(board, code: str, *, own: bool = False):
    return next(r.figures for r in board.rows if r.unit.code == code and r.own == own)


def _activity(world):
    """What the staff did after the bulletin came out; returns a moment three days later."""
    b = world["bulletin"]
    published = b.published_at
    events.record_read(world["an"], b, at=published + HOUR)  # within 24 hours
    events.record_read(world["binh"], b, at=published + 30 * HOUR)  # too late to count
    events.record_read(world["gia"], b, at=published + 2 * HOUR)
    events.record_share(world["an"], b, via="zalo", at=published + 2 * HOUR)
    for n in range(3):  # three visitors
        events.record_share_visit(
            world["an"].share_code, b, visitor=f"203.0.113.{n}", at=published + (3 + n) * HOUR
        )
    later = published + 3 * DAY
    for n in range(6):  # six of the last seven days
        events.record_access(world["an"], at=later - n * DAY)
    events.record_access(world["chi"], at=later - 2 * DAY)
    events.declare_app_installed(world["an"], on=timezone.localdate(published))
    events.declare_app_installed(world["chi"], on=timezone.localdate(published))
    manager = make_manager(world["tree"]["QN"], "quanly-tinh")
    dashboards.confirm_app(manager, world["an"].pk, within=world["tree"]["QN"])
    return later


def test_figures_per_child_unit_with_its_subtree_and_the_units_own_staff(world):
    later = _activity(world)
    board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later)
    assert [(r.unit.code, r.own) for r in board.rows] == [
        ("CP", False),
        ("HL", False),
        ("QN", True),
    ]
    cp, hl, own = _row(board, "CP"), _row(board, "HL"), _row(board, "QN", own=True)
    assert (cp.staff, hl.staff, own.staff, board.total.staff) == (3, 1, 1, 5)
    # One bulletin for the whole province: each person owes one read.
    assert (cp.expected_reads, cp.read_on_time) == (3, 1)
    assert (own.expected_reads, own.read_on_time) == (1, 1)
    assert (hl.expected_reads, hl.read_on_time) == (1, 0)
    assert board.total.read_on_time_share == pytest.approx(2 / 5)
    assert (cp.shared, cp.visits, hl.shared, board.total.visits) == (1, 3, 0, 3)
    # Delivered: the portal shows the bulletin to everyone it is for.
    assert board.total.delivered["portal"] == 5
    assert (cp.delivered["portal"], hl.delivered["portal"]) == (3, 1)
    assert (cp.access_days[7], cp.regular[7], hl.access_days[7], hl.regular[7]) == (6, 1, 1, 0)
    assert cp.average_days[7] == pytest.approx(2.0)
    assert (cp.app_declared, cp.app_confirmed, hl.app_declared, hl.app_confirmed) == (1, 1, 1, 0)
    assert board.total.percents == {
        "read": 40,
        "declared": 40,
        "confirmed": 20,
        "regular_7": 20,
        "regular_30": 0,
    }


def test_a_childs_dashboard_covers_its_subtree_only(world):
    later = _activity(world)
    board = dashboards.dashboard(world["tree"]["CP"], days=7, now=later)
    assert [(r.unit.code, r.own) for r in board.rows] == [
        ("CP-CP", False),
        ("CP-CT", False),
        ("CP", True),
    ]
    assert board.total.staff == 3
    assert (board.total.read_on_time, board.total.expected_reads) == (1, 3)
    assert _row(board, "CP-CT").shared == 1
    assert _row(board, "CP", own=True).staff == 1


def test_the_tallies_give_the_same_figures_as_the_events(world):
    later = _activity(world)
    qn = world["tree"]["QN"]
    before = {days: dashboards.dashboard(qn, days=days, now=later) for days in dashboards.PERIODS}
    assert all(board.tallied_until == board.since for board in before.values())
    tallies.make_tallies(now=later)
    assert DayTally.objects.exists() and ReadTally.objects.exists()
    for days, counted in before.items():
        after = dashboards.dashboard(qn, days=days, now=later)
        assert after.tallied_until == after.today
        assert after.total == counted.total
        assert [r.figures for r in after.rows] == [r.figures for r in counted.rows]
        assert after.access_by_day == counted.access_by_day
    # Nothing is counted twice: a second run finds nothing due.
    assert tallies.make_tallies(now=later) == (0, 0)


def test_today_is_counted_from_the_events_after_the_tallies(world):
    later = _activity(world)
    tallies.make_tallies(now=later)
    before = dashboards.dashboard(world["tree"]["QN"], days=7, now=later)
    events.record_share(world["chi"], world["bulletin"], via="facebook", at=later)
    after = dashboards.dashboard(world["tree"]["QN"], days=7, now=later)
    assert after.total.shared == before.total.shared + 1
    assert _row(after, "HL").shared == 1


def test_a_significant_correction_asks_for_a_new_read(world):
    later = _activity(world)
    bulletin = world["bulletin"]
    draft = bulletins.Draft(title="Cảnh báo (đã sửa)", body_markdown="Sửa **số liệu**.")
    tallies.make_tallies(now=later)
    bulletins.correct(bulletin, draft, actor=None, significant=True)
    for tallied in (True, False):  # from the tallies, and from the events
        if not tallied:
            tallies.forget_before(later.date() + DAY)
            ReadTally.objects.all().delete()
        board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later)
        assert board.total.read_on_time == 0, tallied


def test_history_stays_with_the_unit_at_the_time_people_move_with_their_unit_now(world):
    later = _activity(world)
    an = world["an"]
    an.unit = world["tree"]["HL-BC"]
    organisation.save_staff(an)
    board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later)
    cp, hl = _row(board, "CP"), _row(board, "HL")
    # What An did is history of Cẩm Phả; An now counts in Hạ Long.
    assert (cp.shared, cp.visits, cp.read_on_time) == (1, 3, 1)
    assert (hl.shared, hl.read_on_time) == (0, 0)
    assert (cp.staff, hl.staff) == (2, 2)
    assert (cp.app_declared, hl.app_declared, hl.app_confirmed) == (0, 2, 1)
    assert hl.regular[7] == 1


def test_people_who_left_are_not_counted_as_staff_but_their_reads_stay(world):
    later = _activity(world)
    organisation.deactivate_staff(world["gia"])
    board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later)
    own = _row(board, "QN", own=True)
    assert (own.staff, own.expected_reads, own.read_on_time) == (0, 0, 1)
    assert own.read_on_time_share is None  # nothing owed: no share to show


def test_one_bulletin_alone(world):
    later = _activity(world)
    other = publish_bulletin("Bản tin Hạ Long", units=[world["tree"]["HL"]])
    events.record_read(world["chi"], other, at=other.published_at + HOUR)
    board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later, bulletin=other)
    assert (board.total.expected_reads, board.total.read_on_time) == (1, 1)
    assert (_row(board, "CP").expected_reads, _row(board, "HL").read_on_time) == (0, 1)
    assert board.total.shared == 0
    board = dashboards.dashboard(world["tree"]["QN"], days=30, now=later)
    assert board.total.expected_reads == 6  # five for the first, one for Hạ Long's


def test_the_day_by_day_access_counts(world):
    later = _activity(world)
    board = dashboards.dashboard(world["tree"]["CP"], days=7, now=later)
    days = board.access_by_day
    assert len(days) == 7 and max(days) == timezone.localdate(later)
    assert sum(days.values()) == 6  # An, on six days; Chi is in Hạ Long


def test_a_manager_confirms_an_installation_once_and_only_in_their_subtree(world):
    tree = world["tree"]
    city = make_manager(tree["CP"], "quanly-cp")
    events.declare_app_installed(world["binh"], on=timezone.localdate())
    first = dashboards.confirm_app(city, world["binh"].pk, within=tree["CP"])
    assert first.confirmed_by == city
    with pytest.raises(Refused):
        dashboards.confirm_app(city, world["binh"].pk, within=tree["CP"])
    assert ReachEvent.objects.filter(kind=EventKind.APP_CONFIRMED).count() == 1
    for staff, within in ((world["chi"], tree["CP"]), (world["binh"], tree["CP-CT"])):
        with pytest.raises(NotFound):
            dashboards.confirm_app(city, staff.pk, within=within)
    organisation.deactivate_staff(world["dung"])
    with pytest.raises(NotFound):
        dashboards.confirm_app(city, world["dung"].pk, within=tree["CP"])


def test_the_tallies_are_made_hourly_once_a_day_is_over_and_once_more_when_final(world):
    from chinhthong.config import schedule
    from chinhthong.reach.models import TalliedDay

    assert (3600, "chinhthong.reach.tallies.make_due_tallies") in schedule.PERIODIC
    later = _activity(world)
    days, bulletins_tallied = tallies.make_tallies(now=later)
    assert days == tallies.KEEP_DAYS and bulletins_tallied == 1
    yesterday = timezone.localdate(later) - DAY
    assert TalliedDay.objects.filter(day=yesterday).exists()
    # Two days on, yesterday's deliveries can no longer change: counted once more, then never.
    two_days_on = later + 2 * DAY
    assert yesterday in tallies.days_due(two_days_on)
    tallies.make_tallies(now=two_days_on)
    assert yesterday not in tallies.days_due(two_days_on + DAY)
    # Tallies older than any period shown are dropped.
    tallies.make_tallies(now=later + 200 * DAY)
    assert not TalliedDay.objects.filter(day__lt=timezone.localdate(later) + 100 * DAY).exists()
    # The scheduler's task runs it (tasks run at once in the tests).
    result = tallies.make_due_tallies.enqueue()
    assert result.status == "SUCCESSFUL"


def test_the_people_counted_as_lagging_are_those_listed(world):
    from chinhthong.reach import laggards

    later = _activity(world)
    urgent = publish_bulletin("Khẩn: cảnh báo mới", urgent=True)
    events.record_read(world["chi"], urgent, at=urgent.published_at + HOUR)
    qn = world["tree"]["QN"]
    for tallied in (False, True):
        if tallied:
            tallies.make_tallies(now=later)
        rules = laggards.Rules.at(30, later)
        board = dashboards.dashboard(qn, days=30, now=later, rules=rules)
        listed = list(laggards.all_laggards(qn, rules=rules))
        # Chi read the urgent bulletin, came two days ago and declared the app: all but Chi.
        assert board.total.lagging == len(listed) == 4, tallied
        assert {one.staff.name for one in listed} == {
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Phạm Văn Dũng",
            "Võ Thị Gia",
        }
        an = next(one for one in listed if one.staff.name == "Nguyễn Văn An")
        assert (an.urgent_unread, an.app_missing, an.no_access) == (1, False, False)
        binh = next(one for one in listed if one.staff.name == "Trần Thị Bình")
        assert (binh.urgent_unread, binh.app_missing, binh.no_access) == (1, True, True)
        assert board.total.awaiting == laggards.awaiting_confirmation(qn).count() == 1  # Chi
        first = laggards.first_laggards(
            qn, rules=rules, limit=2, units=board.first_units("lagging", 2)
        )
        assert [one.staff.name for one in first] == [one.staff.name for one in listed[:2]]
