"""The editors' back office over HTTP, as an editor uses it: a draft written and previewed, a
picture attached, scheduled, published after a confirmation, corrected with a new version
(never edited in place), its versions shown; a draft cancelled."""

import datetime as dt
import re
import zoneinfo

import pytest

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Bulletin, Status
from chinhthong.reach import organisation
from chinhthong.reach.models import StaffMember
from tests.bulletins.authoring_files import png

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/bulletins/bulletin/"


def _form(**fields) -> dict:
    data = {
        "title": "Mưa lớn tại Cẩm Phả",
        "summary": "Hạn chế ra đường tối nay.",
        "body_markdown": "Mưa **rất lớn** từ 18 giờ.\n\n![Bản đồ](ban-do.png)",
        "urgency": "urgent",
        "audience_scope": "province",
        "tags": "Thời tiết, mưa lớn",
        "sources": "Đài khí tượng tỉnh | https://kttv.quangninh.gov.vn/ban-tin",
    }
    data.update(fields)
    return data


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_write_preview_attach_schedule_and_publish_a_draft(client, editor):
    unit = organisation.create_unit(code="CP", name="Cẩm Phả")
    for name in ("An", "Bình"):
        organisation.save_staff(StaffMember(name=name, unit=unit, category="CC"))
    client.force_login(editor)

    assert client.get(f"{BASE}add/").status_code == 200
    response = client.post(f"{BASE}add/", {**_form(), "_preview": "1"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{bulletin.pk}/preview/"
    preview = _text(client.get(response["Location"]))
    assert "Mưa <strong>rất lớn</strong> từ 18 giờ." in preview
    assert "Không có tệp đính kèm nào tên “ban-do.png”." in preview  # not attached yet
    assert bulletin.tags == ["thời tiết", "mưa lớn"]
    assert bulletin.history.get().history_user == editor

    # Publishing refuses a picture the body names but nobody attached.
    client.post(f"{BASE}{bulletin.pk}/publish/")
    bulletin.refresh_from_db()
    assert bulletin.status == Status.DRAFT

    page = _text(client.get(f"{BASE}{bulletin.pk}/change/"))
    assert f'href="/quan-tri/bulletins/attachment/add/?bulletin={bulletin.pk}"' in page
    attachments.add_attachment(bulletin, name="ban-do.png", data=png(), actor=editor)
    page = _text(client.get(f"{BASE}{bulletin.pk}/change/"))
    assert "<code>![nội dung ảnh](ban-do.png)</code>" in page
    preview = _text(client.get(f"{BASE}{bulletin.pk}/preview/"))
    assert "Không có tệp đính kèm" not in preview
    assert re.search(r'<img src="/ban-tin/tep/\d+/ban-do.png" alt="Bản đồ">', preview)

    past = client.post(
        f"{BASE}{bulletin.pk}/schedule/", {"when_0": "01/01/2001", "when_1": "07:00"}
    )
    assert "Hãy chọn một thời điểm ở tương lai." in _text(past)
    scheduled = client.post(
        f"{BASE}{bulletin.pk}/schedule/", {"when_0": "06/12/2099", "when_1": "07:00"}
    )
    assert scheduled.status_code == 302
    bulletin.refresh_from_db()
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    assert bulletin.status == Status.SCHEDULED
    assert bulletin.scheduled_for == dt.datetime(2099, 12, 6, 7, 0, tzinfo=hanoi)
    assert "07:00 06/12/2099" in _text(client.get(f"{BASE}{bulletin.pk}/change/"))

    confirm = _text(client.get(f"{BASE}{bulletin.pk}/publish/"))
    assert "Đăng “Mưa lớn tại Cẩm Phả” ngay bây giờ?" in confirm
    assert "được gửi tới 2 cán bộ (toàn tỉnh)" in confirm
    assert "Bản tin khẩn" in confirm
    done = client.post(f"{BASE}{bulletin.pk}/publish/")
    assert done.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED and bulletin.latest_version.signature
    assert bulletin.history.order_by("history_date").last().history_user == editor


def test_edit_a_draft_for_chosen_units(client, editor):
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    city = organisation.create_unit(code="CP", name="Cẩm Phả", parent=province)
    bulletin = services.create_draft(
        services.Draft(title="Bản nháp", body_markdown="Nội dung."), actor=editor
    )
    client.force_login(editor)
    refused = client.post(f"{BASE}{bulletin.pk}/change/", _form(audience_scope="units"))
    assert "Hãy chọn các đơn vị nhận bản tin, hoặc toàn tỉnh." in _text(refused)
    bad = client.post(
        f"{BASE}{bulletin.pk}/change/",
        _form(body_markdown="![x](https://theo-doi.example/p.gif)", sources="Không có địa chỉ"),
    )
    text = _text(bad)
    assert "Dòng 1: hãy viết “tiêu đề | https://địa-chỉ”." in text
    response = client.post(
        f"{BASE}{bulletin.pk}/change/",
        _form(audience_scope="units", units=[str(city.pk)], body_markdown="Đã sửa."),
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert list(bulletin.audience.all()) == [city] and not bulletin.whole_province
    assert bulletin.latest_version.body_markdown == "Đã sửa."
    assert bulletin.versions.count() == 1


def test_a_published_bulletin_is_shown_and_corrected_never_edited(client, editor):
    bulletin = services.create_draft(
        services.Draft(title="Số tổng đài hỗ trợ", body_markdown="Gọi **1900 0000**."),
        actor=editor,
    )
    services.publish(bulletin, actor=editor)
    client.force_login(editor)
    page = _text(client.get(f"{BASE}{bulletin.pk}/change/"))
    assert "Bản tin đã đăng không sửa trực tiếp" in page
    assert f'href="{BASE}{bulletin.pk}/correct/"' in page
    assert 'name="title"' not in page  # no form to edit it

    client.post(f"{BASE}{bulletin.pk}/change/", _form(title="Sửa tại chỗ"))
    history = bulletin.history.order_by("history_date")
    assert (
        client.post(
            f"{BASE}{bulletin.pk}/history/{history.first().history_id}/", _form()
        ).status_code
        == 403
    )
    bulletin.refresh_from_db()
    assert (bulletin.latest_version.title, bulletin.versions.count()) == ("Số tổng đài hỗ trợ", 1)

    form = _text(client.get(f"{BASE}{bulletin.pk}/correct/"))
    assert "Gọi **1900 0000**." in form
    same = {
        "title": "Số tổng đài hỗ trợ",
        "body_markdown": "Gọi **1900 0000**.",
        "change_note": "x",
    }
    assert "Không có gì thay đổi" in _text(client.post(f"{BASE}{bulletin.pk}/correct/", same))
    corrected = {**same, "body_markdown": "Gọi **1900 1234**.", "change_note": "Sửa số tổng đài"}
    preview = _text(client.post(f"{BASE}{bulletin.pk}/correct/", {**corrected, "_preview": "1"}))
    assert "<del>1900 0000.</del>" in preview or "<del>0000.</del>" in preview
    assert bulletin.versions.count() == 1  # a preview stores nothing
    done = client.post(f"{BASE}{bulletin.pk}/correct/", {**corrected, "significant": "on"})
    assert done.status_code == 302 and done["Location"] == f"{BASE}{bulletin.pk}/versions/2/"
    bulletin.refresh_from_db()
    assert bulletin.read_from_version == 2
    version = _text(client.get(done["Location"]))
    assert "Sửa số tổng đài" in version and "Thay đổi quan trọng" in version
    assert "<ins>" in version
    listing = _text(client.get(f"{BASE}{bulletin.pk}/change/"))
    assert f'href="{BASE}{bulletin.pk}/versions/1/"' in listing
    assert f'href="{BASE}{bulletin.pk}/versions/2/"' in listing
    assert client.get(f"{BASE}{bulletin.pk}/versions/3/").status_code == 404


def test_cancel_a_draft_after_a_confirmation(client, editor):
    bulletin = services.create_draft(
        services.Draft(title="Bản nháp bỏ", body_markdown="Nội dung."), actor=editor
    )
    client.force_login(editor)
    assert "Hủy “Bản nháp bỏ”?" in _text(client.get(f"{BASE}{bulletin.pk}/cancel/"))
    assert client.post(f"{BASE}{bulletin.pk}/cancel/").status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.CANCELLED
    page = _text(client.get(f"{BASE}{bulletin.pk}/change/"))
    assert "Bản tin này đã bị hủy trước khi đăng." in page
    client.post(f"{BASE}{bulletin.pk}/publish/")
    bulletin.refresh_from_db()
    assert bulletin.status == Status.CANCELLED


def test_the_list_shows_status_urgency_time_and_versions(client, editor):
    services.create_draft(
        services.Draft(title="Tin nháp", body_markdown="x", urgency="urgent"), actor=editor
    )
    published = services.create_draft(
        services.Draft(title="Tin đã đăng", body_markdown="x"), actor=editor
    )
    services.publish(published, actor=editor)
    corrected = services.Draft(title="Tin đã đăng", body_markdown="y")
    services.correct(published, corrected, actor=editor, significant=False)
    client.force_login(editor)
    page = _text(client.get(BASE))
    rows = {
        title: re.search(rf"<tr>(?:(?!</tr>).)*{title}.*?</tr>", page).group(0)
        for title in ("Tin nháp", "Tin đã đăng")
    }
    assert "Bản nháp" in rows["Tin nháp"] and "Khẩn" in rows["Tin nháp"]
    assert "Đã đăng" in rows["Tin đã đăng"] and "Bình thường" in rows["Tin đã đăng"]
    assert '<td class="field-version_count">2</td>' in rows["Tin đã đăng"]
    found = _text(client.get(BASE, {"status__exact": "draft", "q": "nháp"}))
    assert "Tin nháp" in found and "Tin đã đăng" not in found
