"""A bulletin written, published and corrected through the services every edge calls."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from chinhthong.bulletins import services, signing
from chinhthong.bulletins.models import Status
from chinhthong.config.refusals import Refused
from chinhthong.reach import organisation
from chinhthong.registry import signing as registry_signing

pytestmark = pytest.mark.django_db


def _draft(**fields):
    values = {"title": "Cảnh báo lừa đảo", "body_markdown": "Không bấm vào **đường link** lạ."}
    values.update(fields)
    return services.Draft(**values)


def test_published_version_is_signed_with_the_registry_key(settings):
    bulletin = services.create_draft(_draft(), actor=None)
    assert bulletin.slug == "canh-bao-lua-dao"
    services.publish(bulletin, actor=None)
    bulletin.refresh_from_db()
    version = bulletin.latest_version
    assert bulletin.status == Status.PUBLISHED
    assert "<strong>đường link</strong>" in version.body_html
    key = registry_signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE)
    assert signing.verify_version(version, registry_signing.public_pem(key))
    version.signed_body = bytes(version.signed_body).replace("lạ".encode(), b"la")
    assert not signing.verify_version(version, registry_signing.public_pem(key))


def test_significant_correction_asks_for_a_new_read():
    bulletin = services.create_draft(_draft(), actor=None)
    services.publish(bulletin, actor=None)
    services.correct(
        bulletin, _draft(title="Cảnh báo lừa đảo (sửa)"), actor=None, significant=False
    )
    bulletin.refresh_from_db()
    assert bulletin.read_from_version == 1
    version = services.correct(bulletin, _draft(), actor=None, significant=True)
    bulletin.refresh_from_db()
    assert (version.number, bulletin.read_from_version) == (3, 3)
    assert version.signature


def test_a_bulletin_for_no_one_is_refused():
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(whole_province=False), actor=None)
    assert refused.value.code == "no_audience"


def test_subtree_at_any_depth():
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    city = organisation.create_unit(code="CP", name="Cẩm Phả", parent=province)
    ward = organisation.create_unit(code="CP-CT", name="Cẩm Tây", parent=city)
    other = organisation.create_unit(code="HL", name="Hạ Long", parent=province)
    assert set(organisation.subtree(city)) == {city, ward}
    organisation.move_unit(city, other)
    ward.refresh_from_db()
    assert set(organisation.subtree(other)) == {other, city, ward}
    assert ward.path == f"/{province.pk}/{other.pk}/{city.pk}/{ward.pk}/"


# --- schedule, the task that publishes, cancel, edit, correct -----------------------------------
def _due(bulletin) -> None:
    """Time passes: the scheduled time is now a second ago."""
    from chinhthong.bulletins.models import Bulletin

    Bulletin.objects.filter(pk=bulletin.pk).update(
        scheduled_for=timezone.now() - dt.timedelta(seconds=1)
    )


def test_a_scheduled_bulletin_is_published_by_the_task_when_its_time_comes(editor):
    from chinhthong.bulletins import tasks

    bulletin = services.create_draft(_draft(), actor=editor)
    local = dt.datetime(2099, 12, 6, 7, 0)  # as an editor types it
    scheduled = services.schedule(bulletin, local, actor=editor)
    assert scheduled.status == Status.SCHEDULED
    # A naive time is Vietnam's (UTC+7), whatever the process's zone.
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    assert scheduled.scheduled_for == local.replace(tzinfo=hanoi)

    assert tasks.publish_due_bulletins.enqueue().return_value == []  # not yet
    bulletin.refresh_from_db()
    assert bulletin.status == Status.SCHEDULED and not bulletin.latest_version.signature

    _due(bulletin)
    assert tasks.publish_due_bulletins.enqueue().return_value == [bulletin.slug]
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED and bulletin.scheduled_for is None
    assert bulletin.latest_version.signature
    reasons = [h.history_change_reason for h in bulletin.history.order_by("history_date")]
    assert reasons[-1] == "Đăng theo lịch"
    assert reasons[-2].startswith("Lên lịch đăng lúc")
    assert bulletin.history.order_by("history_date")[1].history_user == editor
    assert tasks.publish_due_bulletins.enqueue().return_value == []  # published once


def test_a_time_in_the_past_is_refused(editor):
    bulletin = services.create_draft(_draft(), actor=editor)
    with pytest.raises(Refused) as refused:
        services.schedule(bulletin, timezone.now() - dt.timedelta(minutes=1), actor=editor)
    assert refused.value.code == "past"
    assert "phải ở tương lai" in refused.value.message
    bulletin.refresh_from_db()
    assert bulletin.status == Status.DRAFT


def test_cancel_a_scheduled_bulletin_and_the_task_leaves_it(editor):
    from chinhthong.bulletins import tasks

    bulletin = services.create_draft(_draft(), actor=editor)
    services.schedule(bulletin, timezone.now() + dt.timedelta(hours=2), actor=editor)
    cancelled = services.cancel(bulletin, actor=editor)
    assert (cancelled.status, cancelled.scheduled_for) == (Status.CANCELLED, None)
    _due(bulletin)
    assert tasks.publish_due_bulletins.enqueue().return_value == []
    with pytest.raises(Refused) as refused:
        services.publish(bulletin, actor=editor)
    assert refused.value.code == "cancelled"
    with pytest.raises(Refused):
        services.cancel(bulletin, actor=editor)
    last = bulletin.history.order_by("history_date").last()
    assert (last.history_change_reason, last.history_user) == ("Đã hủy", editor)


def test_a_published_bulletin_is_corrected_not_cancelled_nor_edited(editor):
    bulletin = services.create_draft(_draft(), actor=editor)
    services.publish(bulletin, actor=editor)
    with pytest.raises(Refused) as refused:
        services.cancel(bulletin, actor=editor)
    assert refused.value.code == "published" and "đính chính" in refused.value.message
    with pytest.raises(Refused) as refused:
        services.update_draft(bulletin, _draft(title="Sửa tại chỗ"), actor=editor)
    assert refused.value.code == "published"
    with pytest.raises(Refused):
        services.schedule(bulletin, timezone.now() + dt.timedelta(days=1), actor=editor)
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED
    assert bulletin.latest_version.title == "Cảnh báo lừa đảo"


def test_only_a_published_bulletin_is_corrected(editor):
    bulletin = services.create_draft(_draft(), actor=editor)
    with pytest.raises(Refused) as refused:
        services.correct(bulletin, _draft(), actor=editor, significant=True)
    assert refused.value.code == "not_published"
    assert bulletin.versions.count() == 1


def test_a_draft_is_edited_in_place_and_a_scheduled_one_stays_scheduled(editor):
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    city = organisation.create_unit(code="CP", name="Cẩm Phả", parent=province)
    bulletin = services.create_draft(_draft(), actor=editor)
    when = timezone.now() + dt.timedelta(hours=3)
    services.schedule(bulletin, when, actor=editor)
    edited = services.update_draft(
        bulletin,
        _draft(title="Cảnh báo mới", urgency="urgent", whole_province=False, units=[city]),
        actor=editor,
    )
    assert (edited.status, edited.scheduled_for, edited.urgency) == (
        Status.SCHEDULED,
        when,
        "urgent",
    )
    assert list(edited.audience.all()) == [city] and not edited.whole_province
    assert [v.title for v in edited.versions.all()] == ["Cảnh báo mới"]  # still one version
    last = edited.history.order_by("history_date").last()
    assert (last.history_change_reason, last.history_user) == ("Sửa bản nháp", editor)


def test_a_significant_correction_asks_those_who_read_to_read_again(editor):
    from chinhthong.reach import events
    from chinhthong.reach.models import StaffMember

    unit = organisation.create_unit(code="CP", name="Cẩm Phả")
    staff = organisation.save_staff(StaffMember(name="Nguyễn Văn An", unit=unit, category="CC"))
    bulletin = services.create_draft(_draft(), actor=editor)
    services.publish(bulletin, actor=editor)
    events.record_read(staff, bulletin)
    assert events.has_read(staff, bulletin)

    minor = services.correct(
        bulletin, _draft(body_markdown="Không bấm vào đường link lạ."), actor=editor,
        significant=False, change_note="Sửa chính tả",
    )  # fmt: skip
    bulletin.refresh_from_db()
    assert events.has_read(staff, bulletin)  # a spelling fix asks nothing of anyone
    assert (minor.number, minor.change_note, minor.created_by) == (2, "Sửa chính tả", editor)

    services.correct(
        bulletin, _draft(body_markdown="Số tổng đài đúng là **1900 1234**."), actor=editor,
        significant=True, change_note="Sửa số tổng đài",
    )  # fmt: skip
    bulletin.refresh_from_db()
    assert bulletin.read_from_version == 3
    assert not events.has_read(staff, bulletin)
    events.record_read(staff, bulletin)
    assert events.has_read(staff, bulletin)
    reasons = [h.history_change_reason for h in bulletin.history.order_by("history_date")]
    assert reasons[-2:] == [
        "Đính chính: phiên bản 2",
        "Đính chính: phiên bản 3, thay đổi quan trọng",
    ]


def test_a_title_never_takes_the_address_of_a_page():
    """/ban-tin/kiem-tra/ is the forward check: a bulletin titled "Kiểm tra" goes beside it."""
    bulletin = services.create_draft(_draft(title="Kiểm tra"), actor=None)
    assert bulletin.slug == "kiem-tra-2"
