"""The daily digest: one email per person listing the past day's bulletins they have not read,
none for those who unsubscribed in one click (RFC 8058) — who still get urgent bulletins."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time
from typer.testing import CliRunner

from chinhthong.delivery import digest, services
from chinhthong.delivery.cli import app as delivery_cli
from chinhthong.delivery.models import Channel, Delivery, DigestOptOut, Kind, Status
from chinhthong.reach import events
from chinhthong.reach.models import Via
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
UNSUBSCRIBE = re.compile(r"<https://congchuc\.example\.vn(/thu-tong-hop/huy/[^/>]+/)>")


def digest_day() -> dt.date:
    """The day whose digest lists what is published now."""
    now = timezone.localtime()
    today = now.date()
    return today if now < digest.moment(today) else today + dt.timedelta(days=1)


@pytest.fixture
def world(committed):
    tree = make_tree()
    people = {
        "tay": make_staff(tree["CP-CT"], "Nguyễn Văn Tây", email="tay@quangninh.gov.vn"),
        "phu": make_staff(tree["CP-CP"], "Trần Thị Phú", email="phu@quangninh.gov.vn"),
        "reader": make_staff(tree["CP-CP"], "Đỗ Đã Đọc", email="dadoc@quangninh.gov.vn"),
        "out": make_staff(tree["CP-CT"], "Vũ Không Nhận", email="khongnhan@quangninh.gov.vn"),
    }
    services.unsubscribe(people["out"])
    with committed():
        everyone = publish_bulletin("Lịch tiêm chủng tháng 12")
        ward = publish_bulletin("Cắt điện phường Cẩm Tây", units=[tree["CP-CT"]])
    events.record_read(people["reader"], everyone, via=Via.PORTAL)
    return tree, people, everyone, ward


def test_one_digest_per_person_with_what_they_have_not_read(world, mail, committed):
    _tree, _people, _everyone, _ward = world
    assert mail.received == []  # normal bulletins wait for the digest
    due = digest.moment(digest_day()) + dt.timedelta(minutes=1)  # the scheduler's next round
    with committed():
        made = services.prepare_digest_if_due(due)
    assert made == 2  # the reader read all theirs; the one who unsubscribed gets none
    received = mail.wait_for(2)
    assert sorted(r.recipients[0] for r in received) == [
        "phu@quangninh.gov.vn",
        "tay@quangninh.gov.vn",
    ]
    tay = mail.to("tay@quangninh.gov.vn")[0]
    shown = digest_day().strftime("%d/%m/%Y")
    assert tay.message["Subject"].strip() == f"Bản tin chưa đọc, ngày {shown} (2)"
    text = tay.text()
    assert "Lịch tiêm chủng tháng 12" in text and "Cắt điện phường Cẩm Tây" in text
    assert len(set(re.findall(r"/cong-chuc/doc/[^/\s]+/", text))) == 2  # a link for each
    phu = mail.to("phu@quangninh.gov.vn")[0].text()
    assert "Lịch tiêm chủng" in phu and "Cẩm Tây" not in phu
    assert tay.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE.fullmatch(tay.message["List-Unsubscribe"].strip())
    assert "<img" not in tay.html()

    # Asked again (the scheduler asks every minute, the CLI by hand): nobody gets it twice.
    assert services.prepare_digest_if_due(due + dt.timedelta(minutes=1)) == 0
    day = str(digest_day())
    with committed(), freeze_time(due + dt.timedelta(minutes=2), tick=True):
        again = CliRunner().invoke(delivery_cli, ["send-digest", "--date", day])
    assert again.exit_code == 0, again.output
    assert len(mail.received) == 2
    rows = Delivery.objects.filter(kind=Kind.DIGEST)
    assert rows.count() == 2 and set(rows.values_list("status", flat=True)) == {Status.DELIVERED}


def test_urgent_bulletins_still_reach_those_who_unsubscribed(world, mail, committed):
    _tree, _people, _everyone, _ward = world
    with committed():
        publish_bulletin("Cảnh báo lừa đảo khẩn", urgent=True)
    received = mail.wait_for(4)
    assert "khongnhan@quangninh.gov.vn" in {r.recipients[0] for r in received}
    assert all("List-Unsubscribe" not in r.message for r in received)


def test_one_click_unsubscribe_needs_no_login_no_cookie_no_csrf_token(world, mail, committed):
    _tree, people, _everyone, _ward = world
    with committed():
        services.prepare_digest(digest_day())
    header = mail.wait_for(2) and mail.to("tay@quangninh.gov.vn")[0].message["List-Unsubscribe"]
    path = UNSUBSCRIBE.fullmatch(header.strip()).group(1)

    # What a mail provider sends on the reader's click (RFC 8058): a bare POST.
    provider = Client(enforce_csrf_checks=True)
    answer = provider.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert DigestOptOut.objects.filter(staff=people["tay"]).exists()
    assert "Bạn sẽ không nhận thư tổng hợp hằng ngày qua email nữa" in answer.content.decode()

    # Opening the link only shows the choice: scanners and previews unsubscribe nobody.
    other = f"/thu-tong-hop/huy/{digest.unsubscribe_token(people['phu'])}/"
    page = Client().get(other)
    assert page.status_code == 200 and "Hủy nhận thư tổng hợp hằng ngày" in page.content.decode()
    assert services.is_subscribed(people["phu"])

    # The page's other button takes the digest back.
    back = provider.post(path, {"action": "subscribe"})
    assert back.status_code == 200 and services.is_subscribed(people["tay"])

    # A token that is not ours, or altered, finds no one.
    for bad in ("khong-hop-le", path.split("/")[-2][:-2] + "xx"):
        assert provider.post(f"/thu-tong-hop/huy/{bad}/").status_code == 404
        assert provider.get(f"/thu-tong-hop/huy/{bad}/").status_code == 404


@override_settings(PUBLIC_RATE_LIMIT="3/m")
def test_unsubscribing_is_rate_limited(world, limiter_clock):
    _tree, people, _everyone, _ward = world
    path = f"/thu-tong-hop/huy/{digest.unsubscribe_token(people['tay'])}/"
    client = Client()
    codes = [client.post(path).status_code for _n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_digest_missed_by_hours_is_not_sent_late(world, mail, committed):
    late = digest.moment(digest_day()) + dt.timedelta(hours=7)
    with committed():
        assert services.prepare_digest_if_due(late) == 0
    assert mail.received == []


def test_the_digest_waits_for_its_time(world, settings):
    day = digest_day()
    settings.DIGEST_TIME = "07:00"
    before = digest.moment(day) - dt.timedelta(minutes=1)
    assert digest.due_day(before) == day - dt.timedelta(days=1)
    assert digest.due_day(digest.moment(day)) == day
    start, end = digest.window(day)
    assert end - start == dt.timedelta(days=1)
    assert timezone.localtime(end).strftime("%H:%M") == "07:00"
    assert not Delivery.objects.filter(channel=Channel.EMAIL).exists()
