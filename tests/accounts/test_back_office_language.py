"""The back office as an editor meets it: one log-in page, a reason for every change, the
history in words people read, third-party screens and messages in Vietnamese."""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from chinhthong.config.views import server_error
from chinhthong.registry.models import Channel
from tests.accounts.test_back_office_permissions import form_data
from tests.conftest import PASSWORD

REASON = "Theo công văn số 12/STTTT của Sở"


def _text(response) -> str:
    """The page's text, tags and repeated spaces removed."""
    page = re.sub(
        r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- one log-in page -----------------------------------------------------------------------------
def test_the_back_office_sends_people_to_the_sites_log_in_page(client):
    response = client.get("/quan-tri/registry/channel/", follow=True)
    assert response.redirect_chain[-1][0] == "/dang-nhap/?next=%2Fquan-tri%2Fregistry%2Fchannel%2F"
    assert response.templates[0].name == "accounts/login.html"


def test_logging_in_there_opens_the_back_office(client, editor):
    page = client.get("/quan-tri/login/?next=/quan-tri/registry/channel/", follow=True)
    login_form = '<input type="hidden" name="next" value="/quan-tri/registry/channel/">'
    assert login_form in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0],
        {"username": "bientap", "password": PASSWORD, "next": "/quan-tri/registry/channel/"},
    )
    assert response.status_code == 302 and response["Location"] == "/quan-tri/registry/channel/"
    assert client.get("/quan-tri/login/")["Location"] == "/quan-tri/"


@pytest.mark.parametrize(("who", "landing"), [("editor", "/quan-tri/"), ("staff_member", "/")])
def test_logging_in_without_a_page_asked_for_opens_where_the_person_works(
    client, request, who, landing
):
    user = request.getfixturevalue(who)
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == landing
    # Signed in, the log-in page sends them there again; a page asked for still wins.
    assert client.get("/dang-nhap/")["Location"] == landing
    assert client.get("/dang-nhap/?next=/danh-ba/")["Location"] == "/danh-ba/"


def test_an_account_without_the_back_office_is_told_so(client, staff_member):
    client.force_login(staff_member)
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 403
    assert "Vai trò của tài khoản bạn không được phép mở trang" in _text(response)


# --- a reason for every change -------------------------------------------------------------------
def _channel_change(client, channel, **changes):
    from django.contrib import admin

    data = {**form_data(admin.site._registry[Channel], channel), **changes}
    return client.post(f"/quan-tri/registry/channel/{channel.pk}/change/", data)


def test_a_change_without_a_reason_is_refused_with_the_reason_asked_for(
    client, editor, default_registry
):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.force_login(editor)
    form = _text(client.get(f"/quan-tri/registry/channel/{channel.pk}/change/"))
    assert "Lý do thay đổi:" in form
    response = _channel_change(client, channel, status="retired", change_reason="")
    assert response.status_code == 200
    assert (
        "Lý do thay đổi" in response.context["adminform"].form.errors.as_text()
        or (response.context["adminform"].form.errors["change_reason"])
    )
    channel.refresh_from_db()
    assert channel.status == "active"


def test_the_history_shows_the_reason_labels_and_counts_in_vietnamese(
    client, editor, default_registry
):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.force_login(editor)
    response = _channel_change(client, channel, status="retired", notes="", change_reason=REASON)
    assert response.status_code == 302
    latest = channel.history.first()
    assert latest.history_change_reason == REASON and latest.history_user == editor

    page = _text(client.get(f"/quan-tri/registry/channel/{channel.pk}/history/"))
    assert REASON in page
    assert "Trạng thái: Đang hoạt động → Ngừng sử dụng" in page
    assert "Chọn một thời điểm trong danh sách dưới đây" in page
    assert "2 phiên bản" in page
    for english in ("active", "retired", "None", "entries", "default registry"):
        assert not re.search(rf"\b{english}\b", page), english


def test_an_empty_value_and_a_missing_reason_show_as_such(client, editor, default_registry):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    channel.phone = "02033835444"
    channel.save()  # a change made outside the back office: no reason, no person
    client.force_login(editor)
    page = _text(client.get(f"/quan-tri/registry/channel/{channel.pk}/history/"))
    assert "Số điện thoại: (trống) → 02033835444" in page
    assert "None" not in page


def test_the_kind_of_change_has_its_own_name_apart_from_the_notes_field(
    client, editor, default_registry
):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.force_login(editor)
    _channel_change(client, channel, status="retired", change_reason=REASON)
    response = client.get(f"/quan-tri/registry/channel/{channel.pk}/history/")
    headings = re.findall(r"<th[^>]*>(.*?)</th>", response.content.decode(), flags=re.S)
    headings = [html.unescape(h).strip() for h in headings]
    assert "Loại thay đổi" in headings and "Ghi chú" not in headings
    page = _text(response)
    assert "Sửa đổi" in page and "Tạo mới" in page


NOTE = (
    "Văn bản 1341 in địa chỉ liên hệ trên quangning.gov.vn — sai một chữ so với tên miền chính "
    "thức quangninh.gov.vn; địa chỉ luôn phải đối chiếu với danh mục, không nhìn bằng mắt."
)


def _changes(client, channel) -> list[str]:
    """The lines of the newest version's changes on the history page."""
    page = client.get(f"/quan-tri/registry/channel/{channel.pk}/history/").content.decode()
    newest = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", newest, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", i)).split()) for i in items]


def test_a_changed_note_is_shown_whole_not_cut_into_a_repr(client, editor, default_registry):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.force_login(editor)
    _channel_change(client, channel, notes=NOTE, change_reason=REASON)
    longer = NOTE + " Đã gọi điện xác nhận với Văn phòng."
    _channel_change(client, channel, notes=longer, change_reason=REASON)
    assert _changes(client, channel) == [f"Ghi chú: {NOTE} → {longer}"]


def test_a_long_text_shows_where_it_changed_cut_between_words(client, editor, default_registry):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.force_login(editor)
    opening = " ".join([NOTE] * 4)  # about 680 characters the two versions share
    before, after = f"{opening} Kênh còn hoạt động.", f"{opening} Kênh đã ngừng hoạt động."
    _channel_change(client, channel, notes=before, change_reason=REASON)
    _channel_change(client, channel, notes=after, change_reason=REASON)
    [line] = _changes(client, channel)
    assert "chars]" not in line and "[" not in line
    old, new = line.removeprefix("Ghi chú: ").split(" → ")
    assert old.startswith("… ") and old.endswith("Kênh còn hoạt động.")
    assert new.startswith("… ") and new.endswith("Kênh đã ngừng hoạt động.")
    words = set(NOTE.split())
    assert old.split()[1] in words and new.split()[1] in words  # begins on a whole word


def test_a_changed_agency_is_named_not_numbered(client, editor, default_registry):
    from chinhthong.registry.models import Agency

    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    before = channel.agency
    other = Agency.objects.exclude(pk=before.pk).order_by("pk").first()
    client.force_login(editor)
    _channel_change(client, channel, agency=str(other.pk), change_reason=REASON)
    assert f"Cơ quan: {before} → {other}" in _changes(client, channel)


def test_an_empty_link_to_another_record_shows_as_empty(client, editor, default_registry):
    from django.contrib import admin

    from chinhthong.registry.models import Agency

    agency = Agency.objects.get(code="so-y-te-quang-ninh")
    successor = Agency.objects.get(code="ubnd-tinh-quang-ninh")
    client.force_login(editor)
    data = form_data(admin.site._registry[Agency], agency)
    data |= {"successor": str(successor.pk), "succeeded_on": "01/07/2025"}
    data["change_reason"] = REASON
    assert client.post(f"/quan-tri/registry/agency/{agency.pk}/change/", data).status_code == 302
    page = _text(client.get(f"/quan-tri/registry/agency/{agency.pk}/history/"))
    assert f"Đơn vị kế thừa: (trống) → {successor}" in page
    assert "pk=None" not in page


def test_reverting_to_a_version_asks_for_its_reason_too(client, editor, default_registry):
    from django.contrib import admin

    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    first = channel.history.last()
    client.force_login(editor)
    _channel_change(client, channel, status="retired", change_reason=REASON)
    url = f"/quan-tri/registry/channel/{channel.pk}/history/{first.history_id}/"
    page = _text(client.get(url))
    assert "Bấm nút “Khôi phục” bên dưới" in page
    # The app and the records as people call them, not "registry" or "Historical kênh".
    assert "Trang chủ › Danh mục kênh chính thống › Kênh › Cổng thông tin công chức" in page
    data = form_data(admin.site._registry[Channel], channel) | {"status": "active"}
    assert client.post(url, data | {"change_reason": ""}).status_code == 200
    response = client.post(url, data | {"change_reason": "Khôi phục: nhập nhầm"})
    assert response.status_code == 302
    assert channel.history.first().history_change_reason == "Khôi phục: nhập nhầm"


# --- third-party screens -------------------------------------------------------------------------
@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def test_lock_outs_in_vietnamese(administrator_client, editor):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0")
    for _attempt in range(5):
        browser.post("/dang-nhap/", {"username": "bientap", "password": "sai"})
    attempt = AccessAttempt.objects.get()
    listing = _text(administrator_client.get("/quan-tri/axes/accessattempt/"))
    assert "Khóa đăng nhập" in listing and "Đang bị khóa" in listing
    detail = _text(administrator_client.get(f"/quan-tri/axes/accessattempt/{attempt.pk}/change/"))
    assert "Các lần đăng nhập sai của “bientap” từ 127.0.0.1" in detail
    assert "Attempted Access" not in detail
    response = administrator_client.post(
        "/quan-tri/axes/accessattempt/",
        {"action": "cleanup_expired_attempts", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "Đã dọn 0 lần đăng nhập sai đã hết hạn." in _text(response)


def test_task_results_in_vietnamese(administrator_client):
    from chinhthong.registry.tasks import rebuild_snapshot

    queued = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    with override_settings(TASKS={"default": queued}):
        result = rebuild_snapshot.enqueue()
    listing = _text(administrator_client.get("/quan-tri/django_tasks_database/dbtaskresult/"))
    assert "Tác vụ chạy nền" in listing and "Sẵn sàng" in listing
    assert "Enqueued" not in listing and "Task name" not in listing
    detail = _text(
        administrator_client.get(
            f"/quan-tri/django_tasks_database/dbtaskresult/{result.id}/change/"
        )
    )
    assert f"Tác vụ rebuild_snapshot ({str(result.id)[:8]})" in detail
    assert "vết lỗi" in detail.casefold() and "DBTaskResult object" not in detail


def test_yes_and_no_icons_are_described_in_vietnamese(administrator_client):
    page = administrator_client.get("/quan-tri/auth/user/").content.decode()
    assert 'alt="Có"' in page and 'alt="True"' not in page


def test_the_admin_widgets_speak_vietnamese(administrator_client):
    script = administrator_client.get("/quan-tri/jsi18n/").content.decode()
    assert '"Choose all %s": "Ch\\u1ecdn t\\u1ea5t c\\u1ea3 %s"' in script
    # The change list's counter: Django's own Vietnamese read "0 của 22 được chọn".
    assert '"%(sel)s of %(cnt)s selected": [' in script
    assert "\\u0110\\u00e3 ch\\u1ecdn %(sel)s tr\\u00ean %(cnt)s" in script


def test_roles_are_named_not_coded(administrator_client, editor):
    page = _text(administrator_client.get("/quan-tri/auth/user/"))
    assert "Biên tập viên" in page and " editor " not in f" {page} "


def test_password_rules_in_vietnamese(administrator_client):
    response = administrator_client.post(
        "/quan-tri/auth/user/add/",
        {
            "username": "nguoi-moi",
            "password1": "12345",
            "password2": "12345",
            "usable_password": "true",
        },
    )
    page = _text(response)
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in page
    assert "too short" not in page and "entirely numeric" not in page
    assert not get_user_model().objects.filter(username="nguoi-moi").exists()


# --- the 500 page --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "heading", "foreign"),
    [("vi", "Đã có lỗi xảy ra", "Something went wrong"), ("en", "Something went wrong", "Đã có")],
)
def test_the_server_error_page_speaks_the_readers_language(rf, language, heading, foreign):
    from django.utils import translation

    with translation.override(language):
        response = server_error(rf.get("/"))
    page = _text(response)
    assert response.status_code == 500 and heading in page and foreign not in page
    assert f'lang="{language}"' in response.content.decode()


def test_a_long_value_without_spaces_is_cut_all_the_same():
    from chinhthong.accounts.history import EXCERPT_CHARS, passages

    address = "https://quangninh.gov.vn/" + "a" * 1000
    old, new = passages(address, address + "b")
    assert old.startswith("… ") and new.endswith("ab")
    assert len(old) <= EXCERPT_CHARS + 4 and len(new) <= EXCERPT_CHARS + 4
