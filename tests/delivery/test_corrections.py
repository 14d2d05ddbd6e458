"""A significant correction reaches everyone the bulletin went to, as the bulletin did: an
urgent one by email at once, marked as a correction with what changed; a normal one in the
day's digest. A minor correction sends nothing."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from chinhthong.bulletins import services as bulletins
from chinhthong.delivery import digest, services
from chinhthong.delivery.models import Channel, Delivery, Kind
from chinhthong.reach import events
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
TITLE = "Cảnh báo cuộc gọi giả danh công an"
LINK = re.compile(r"https://congchuc\.example\.vn(/cong-chuc/doc/[^/\s\"<>]+/)")


@pytest.fixture
def people():
    tree = make_tree()
    return {
        "tay": make_staff(tree["CP-CT"], "Nguyễn Văn Tây", email="tay@quangninh.gov.vn"),
        "phu": make_staff(tree["CP-CP"], "Trần Thị Phú", email="phu@quangninh.gov.vn"),
    }


def _correct(bulletin, *, significant: bool, note: str = ""):
    draft = bulletins.Draft(
        title=TITLE + " (cập nhật)",
        body_markdown="Cơ quan công an **không** gọi điện yêu cầu chuyển tiền.",
        urgency=bulletin.urgency,
    )
    return bulletins.correct(bulletin, draft, actor=None, significant=significant, change_note=note)


def test_a_significant_correction_of_an_urgent_bulletin_is_emailed_again(people, mail, committed):
    with committed():
        bulletin = publish_bulletin(TITLE, urgent=True)
    mail.wait_for(2)
    events.record_read(people["tay"], bulletin, via=Via.PERSONAL_LINK)

    with committed():
        _correct(bulletin, significant=True, note="Bổ sung số điện thoại đường dây nóng")
    received = mail.wait_for(4)[2:]
    assert sorted(r.recipients[0] for r in received) == [
        "phu@quangninh.gov.vn",
        "tay@quangninh.gov.vn",
    ]  # the one who read the first version too
    tay = next(r for r in received if r.recipients[0] == "tay@quangninh.gov.vn")
    assert tay.message["Subject"].strip() == f"[KHẨN] [ĐÍNH CHÍNH] {TITLE} (cập nhật)"
    text = tay.text()
    assert "đã được đính chính (phiên bản 2); đề nghị đọc lại" in text
    assert "Nội dung thay đổi: Bổ sung số điện thoại đường dây nóng" in text
    assert "Bổ sung số điện thoại đường dây nóng" in tay.html()
    rows = Delivery.objects.filter(bulletin=bulletin, channel=Channel.EMAIL)
    assert sorted(rows.values_list("key", flat=True)) == sorted(
        [f"bulletin:{bulletin.pk}"] * 2 + [f"bulletin:{bulletin.pk}:v2"] * 2
    )

    # The new email's link records a read of the version asked for.
    (path,) = set(LINK.findall(text))
    assert Client().get(path).status_code == 200
    read = ReachEvent.objects.filter(staff=people["tay"], kind=EventKind.READ)
    assert max(read.values_list("version", flat=True)) == 2

    # Corrected again, minor: nothing more is sent.
    with committed():
        bulletin.refresh_from_db()
        _correct(bulletin, significant=False)
    assert len(mail.received) == 4
    assert not Delivery.objects.filter(key=f"bulletin:{bulletin.pk}:v3").exists()


def test_a_significant_correction_of_a_normal_bulletin_is_in_that_days_digest(
    people, mail, committed
):
    with committed():
        bulletin = publish_bulletin("Lịch tiêm chủng tháng 12")
    # Published three days ago, read then by one of them; corrected now.
    bulletin.published_at = timezone.now() - dt.timedelta(days=3)
    bulletin.save(update_fields=["published_at"])
    events.record_read(people["tay"], bulletin, via=Via.PORTAL)
    now = timezone.localtime()
    today = now.date() if now < digest.moment(now.date()) else now.date() + dt.timedelta(days=1)
    assert digest.bulletins_of(today) == []

    with committed():
        _correct(bulletin, significant=True)
    assert mail.received == []  # normal bulletins wait for the digest
    assert digest.bulletins_of(today) == [bulletin]
    with committed():
        made = services.prepare_digest_if_due(digest.moment(today) + dt.timedelta(minutes=1))
    assert made == 2
    tay = mail.wait_for(2) and mail.to("tay@quangninh.gov.vn")[0]
    assert f"[ĐÍNH CHÍNH] {TITLE} (cập nhật)" in tay.text()
    assert "phát hành hoặc đính chính trong ngày qua" in tay.text()
    assert Delivery.objects.filter(kind=Kind.DIGEST).count() == 2
