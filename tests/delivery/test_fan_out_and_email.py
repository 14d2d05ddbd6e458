"""Publishing a bulletin reaches its audience: the portal for everyone in it at once, email at
once when it is urgent — through a real SMTP server on loopback — each message with the
person's own signed link, never a tracking pixel."""

import re

import pytest
from django.test import Client

from chinhthong.delivery import queries
from chinhthong.delivery.models import Channel, Delivery, Status
from chinhthong.reach import events, organisation
from chinhthong.reach.models import EventKind, ReachEvent
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https://congchuc\.example\.vn/cong-chuc/doc/[^/\s\"<>]+/")


@pytest.fixture
def world():
    tree = make_tree()
    people = {
        "tay": make_staff(tree["CP-CT"], "Nguyễn Văn Tây", email="tay@quangninh.gov.vn"),
        "phu": make_staff(tree["CP-CP"], "Trần Thị Phú", email="phu@quangninh.gov.vn"),
        "city": make_staff(tree["CP"], "Lê Văn Phố", email="pho@quangninh.gov.vn"),
        "chay": make_staff(tree["HL-BC"], "Phạm Bãi Cháy", email="chay@quangninh.gov.vn"),
        "no_email": make_staff(tree["CP-CT"], "Hoàng Không Thư", email=""),
    }
    gone = make_staff(tree["CP-CT"], "Đã Nghỉ Việc", email="nghi@quangninh.gov.vn")
    organisation.deactivate_staff(gone)
    return tree, people


def test_an_urgent_bulletin_reaches_its_audience_subtree_by_email_at_once(world, mail, committed):
    tree, people = world
    with committed():
        bulletin = publish_bulletin(
            "Cảnh báo cuộc gọi giả danh công an", urgent=True, units=[tree["CP"]]
        )
    received = mail.wait_for(3)
    assert sorted(r.recipients[0] for r in received) == [
        "pho@quangninh.gov.vn",
        "phu@quangninh.gov.vn",
        "tay@quangninh.gov.vn",
    ]  # not Hạ Long, not the one who left
    message = mail.to("tay@quangninh.gov.vn")[0].message
    assert message["Subject"].strip() == "[KHẨN] Cảnh báo cuộc gọi giả danh công an"
    assert "Nguyễn Văn Tây" in message["To"] and message["From"].addresses[0].addr_spec == (
        "bantin@quangninh.gov.vn"
    )
    assert "List-Unsubscribe" not in message  # urgent bulletins cannot be unsubscribed from
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi Nguyễn Văn Tây" in text and "BẢN TIN KHẨN" in text
    assert "<img" not in html  # no tracking pixel, nor any image
    (link,) = set(LINK.findall(text))
    assert link in html
    assert len({LINK.findall(m.text())[0] for m in received}) == 3  # each person's own link

    # The link opens the bulletin for that person and records the read.
    assert Client().get(link.removeprefix("https://congchuc.example.vn")).status_code == 200
    assert events.has_read(people["tay"], bulletin)
    assert ReachEvent.objects.filter(kind=EventKind.READ).count() == 1

    counts = queries.status_counts(bulletin)
    assert counts[Channel.EMAIL] == {Status.DELIVERED: 3}
    assert counts[Channel.PORTAL] == {Status.DELIVERED: 4}  # the one without email too
    assert not Delivery.objects.filter(staff=people["chay"]).exists()
    assert mail.connections == 1  # one SMTP connection for the batch


def test_a_normal_bulletin_is_on_the_portal_and_waits_for_the_digest(world, mail, committed):
    with committed():
        bulletin = publish_bulletin("Lịch tiêm chủng tháng 12")
    counts = queries.status_counts(bulletin)
    assert counts == {Channel.PORTAL: {Status.DELIVERED: 5}}
    assert mail.received == []


def test_publishing_again_or_fanning_out_twice_sends_nothing_twice(world, mail, committed):
    from chinhthong.delivery import services

    with committed():
        bulletin = publish_bulletin("Cảnh báo", urgent=True)
    mail.wait_for(4)
    with committed():
        made = services.fan_out(bulletin)
    assert made == {Channel.PORTAL: 0, Channel.EMAIL: 0, Channel.WEBPUSH: 0, Channel.ZALO: 0}
    assert len(mail.received) == 4
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 4
