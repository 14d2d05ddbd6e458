"""Reminders of urgent bulletins not read after N hours, on the next channel each person has:
a real SMTP server and a real web push service on loopback receive them; time is moved by
passing ``now``."""

# ruff: noqa: F811  (the delivery tests' SMTP fixtures, imported: pytest finds them by name)
import datetime as dt
import re

import pytest
from django.test import Client
from typer.testing import CliRunner

from chinhthong.bulletins import services as bulletins
from chinhthong.delivery import push, queue, vapid
from chinhthong.delivery.cli import app as delivery_cli
from chinhthong.delivery.models import Channel, Delivery, Kind, Status
from chinhthong.reach import events, organisation, reminders
from chinhthong.reach.models import Via
from tests.delivery.conftest import _one_sending_thread, committed, mail  # noqa: F401
from tests.delivery.push_service import PushService
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https://congchuc\.example\.vn(/cong-chuc/doc/[^/\s\"<>]+/)")
TITLE = "Cảnh báo cuộc gọi giả danh công an"
HOURS = dt.timedelta(hours=1)


@pytest.fixture
def push_service(tmp_path, settings):
    settings.VAPID_KEY_FILE = tmp_path / "keys" / "vapid-p256.pem"
    settings.VAPID_SUBJECT = "mailto:thongtin@quangninh.gov.vn"
    settings.QUIET_HOURS = ""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    with PushService(vapid.public_key()) as running:
        yield running
    assert not running.problems, running.problems


@pytest.fixture
def world(settings, mail, committed):
    settings.REMINDER_AFTER_HOURS = 4
    settings.REMINDER_ROUNDS = 2
    settings.REMINDER_CHANNELS = ["zalo", "webpush", "email"]
    tree = make_tree()
    people = {
        "tay": make_staff(tree["CP-CT"], "Nguyễn Văn Tây", email="tay@quangninh.gov.vn"),
        "phu": make_staff(tree["CP-CP"], "Trần Thị Phú", email="phu@quangninh.gov.vn"),
        "reader": make_staff(tree["CP-CP"], "Đỗ Đã Đọc", email="dadoc@quangninh.gov.vn"),
        "gone": make_staff(tree["CP"], "Lê Sắp Nghỉ", email="nghi@quangninh.gov.vn"),
        "chay": make_staff(tree["HL-BC"], "Phạm Bãi Cháy", email="chay@quangninh.gov.vn"),
    }
    with committed():
        bulletin = publish_bulletin(TITLE, urgent=True, units=[tree["CP"]])
    assert len(mail.wait_for(4)) == 4  # the bulletin itself, by email, to the city's four
    mail.clear()
    return tree, people, bulletin


def reminder_rows():
    return Delivery.objects.filter(kind=Kind.REMINDER)


def test_nothing_before_n_hours_then_one_reminder_each_on_the_next_channel(
    world, mail, committed, push_service
):
    _tree, people, bulletin = world
    published = bulletin.published_at
    events.record_read(people["reader"], bulletin, via=Via.PORTAL)
    organisation.deactivate_staff(people["gone"])
    # Phú installed the portal on her phone after the bulletin went out by email.
    endpoint, browser = push_service.subscribe()
    push.subscribe(people["phu"], endpoint=endpoint, **browser.keys())

    with committed():
        assert reminders.remind_due(now=published + 4 * HOURS - dt.timedelta(minutes=1)) == []
    assert not reminder_rows().exists() and mail.received == []

    with committed():
        (made,) = reminders.remind_due(now=published + 4 * HOURS + dt.timedelta(minutes=1))
    assert made.number == 1 and made.channels == {Channel.EMAIL: 1, Channel.WEBPUSH: 1}

    # Tây has email only: reminded by email again. Phú: on web push, which did not carry it.
    (email,) = mail.wait_for(1)
    assert email.recipients == ["tay@quangninh.gov.vn"]
    message = email.message
    assert message["Subject"].strip() == f"Nhắc: bạn chưa đọc bản tin khẩn “{TITLE}”"
    text = email.text()
    assert "Kính gửi Nguyễn Văn Tây" in text and TITLE in text
    (path,) = set(LINK.findall(text))
    assert "<img" not in email.html()
    (pushed,) = push_service.received
    assert pushed.payload["title"] == "Nhắc: bản tin khẩn chưa đọc"
    assert pushed.payload["body"] == TITLE
    assert pushed.payload["url"].startswith("https://congchuc.example.vn/cong-chuc/doc/")
    assert dict(reminder_rows().values_list("staff__name", "channel")) == {
        "Nguyễn Văn Tây": Channel.EMAIL,
        "Trần Thị Phú": Channel.WEBPUSH,
    }  # not the reader, not who left, not Hạ Long (outside the audience)

    # Running again finds nobody left for this round.
    with committed():
        assert reminders.remind_due(now=published + 5 * HOURS) == []
    assert len(mail.received) == 1 and len(push_service.received) == 1

    # The personal link in the reminder records the read: no second round for Tây.
    assert Client().get(path).status_code == 200
    assert events.has_read(people["tay"], bulletin)
    with committed():
        (second,) = reminders.remind_due(now=published + 8 * HOURS + dt.timedelta(minutes=1))
    assert second.number == 2 and second.channels == {Channel.WEBPUSH: 1}
    assert len(mail.received) == 1 and len(push_service.received) == 2
    with committed():  # no third round (CHINHTHONG_REMINDER_ROUNDS = 2)
        assert reminders.remind_due(now=published + 12 * HOURS + dt.timedelta(minutes=1)) == []
    assert reminder_rows().count() == 3


def test_a_round_the_scheduler_missed_by_a_day_is_not_sent_late(world, mail, committed):
    _tree, _people, bulletin = world
    with committed():
        assert reminders.remind_due(now=bulletin.published_at + 40 * HOURS) == []
    assert not reminder_rows().exists() and mail.received == []


def test_who_read_or_left_after_the_rows_were_made_gets_nothing(world, mail):
    _tree, people, bulletin = world
    due = bulletin.published_at + 4 * HOURS + dt.timedelta(minutes=1)
    (made,) = reminders.remind_due(now=due)  # rows made; not sent (nothing committed)
    assert made.total == 4
    events.record_read(people["tay"], bulletin, via=Via.BUTTON)
    organisation.deactivate_staff(people["gone"])
    queue.send_due(Channel.EMAIL)
    assert sorted(r.recipients[0] for r in mail.wait_for(2)) == [
        "dadoc@quangninh.gov.vn",
        "phu@quangninh.gov.vn",
    ]
    rows = {row.staff.name: row for row in reminder_rows().select_related("staff")}
    assert rows["Nguyễn Văn Tây"].status == Status.DELIVERED
    assert "đã đọc" in rows["Nguyễn Văn Tây"].reason.lower()
    assert rows["Lê Sắp Nghỉ"].status == Status.PERMANENT_FAILURE


def test_a_significant_correction_asks_for_the_new_version(world, mail, committed):
    _tree, people, bulletin = world
    events.record_read(people["reader"], bulletin, via=Via.PORTAL)
    old_round = reminders.remind_due(now=bulletin.published_at + 4 * HOURS + HOURS)
    assert old_round[0].total == 3  # made, not sent yet
    draft = bulletins.Draft(
        title=TITLE + " (cập nhật)",
        body_markdown="Cơ quan công an **không** gọi điện yêu cầu chuyển tiền.",
        urgency="urgent",
    )
    bulletins.correct(bulletin, draft, actor=None, significant=True)
    bulletin.refresh_from_db()
    queue.send_due(Channel.EMAIL)
    assert mail.received == []  # the reminders of the first version are not sent
    assert set(reminder_rows().values_list("status", flat=True)) == {Status.PERMANENT_FAILURE}

    corrected = reminders.clock_start(bulletin)
    with committed():
        assert reminders.remind_due(now=corrected + 3 * HOURS) == []
        (made,) = reminders.remind_due(now=corrected + 4 * HOURS + dt.timedelta(minutes=1))
    assert made.key == f"reminder:{bulletin.pk}:v2:1" and made.total == 4  # the reader too
    received = mail.wait_for(4)
    assert {r.message["Subject"].strip() for r in received} == {
        f"Nhắc: bạn chưa đọc bản tin khẩn “{TITLE} (cập nhật)”"
    }
    assert "phiên bản đính chính" in mail.to("dadoc@quangninh.gov.vn")[0].text()


def test_the_cli_says_when_nothing_is_due(world, mail):
    result = CliRunner().invoke(delivery_cli, ["remind", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Không có lời nhắc nào đến hạn." in result.output
    assert not reminder_rows().exists()
