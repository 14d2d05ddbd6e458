"""Only editors and administrators change the registry; logins are Argon2 and lock out."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from chinhthong.accounts import roles, services
from chinhthong.registry.models import Channel
from tests.conftest import PASSWORD

CHANNEL_ADMIN = "/quan-tri/registry/channel/"


def _change_form(channel: Channel, **changes) -> dict:
    data = {
        "slug": channel.slug,
        "agency": channel.agency_id,
        "kind": channel.kind,
        "name": channel.name,
        "status": channel.status,
        "url": channel.url,
        "identifier_as_printed": channel.identifier_as_printed,
        "host": channel.host,
        "facebook_username": channel.facebook_username,
        "facebook_page_id": "",
        "zalo_oa_id": "",
        "android_package": "",
        "ios_app_id": "",
        "mail_address": "",
        "phone": "",
        "handle": "",
        "valid_from": "",
        "valid_to": "",
        "source": channel.source_id or "",
        "last_verified": "",
        "notes": channel.notes,
        "change_reason": "Theo văn bản mới",  # every save says why
    }
    data.update(changes)
    return data


def test_passwords_are_hashed_with_argon2(editor):
    assert editor.password.startswith("argon2")


def test_editor_changes_a_channel_and_the_history_keeps_before_and_after(
    client, editor, default_registry
):
    client.force_login(editor)
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    response = client.post(
        f"{CHANNEL_ADMIN}{channel.pk}/change/",
        _change_form(channel, status="retired", last_verified="2026-11-20"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.status == "retired"
    record = channel.history.first()
    assert record.history_user == editor
    assert record.history_change_reason == "Theo văn bản mới"
    delta = record.diff_against(record.prev_record)
    assert ("status", "active", "retired") in {(c.field, c.old, c.new) for c in delta.changes}
    history_page = client.get(f"{CHANNEL_ADMIN}{channel.pk}/history/")
    assert history_page.status_code == 200
    assert editor.username in history_page.content.decode()


def test_admin_form_rejects_a_bad_identifier_in_vietnamese(client, editor, default_registry):
    client.force_login(editor)
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    response = client.post(
        f"{CHANNEL_ADMIN}{channel.pk}/change/", _change_form(channel, host="cong chuc.vn")
    )
    assert response.status_code == 200
    assert "dấu cách" in response.content.decode()
    channel.refresh_from_db()
    assert channel.host == "congchuc.quangninh.gov.vn"


def test_admin_form_stores_identifiers_canonically(client, editor, default_registry):
    client.force_login(editor)
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    client.post(
        f"{CHANNEL_ADMIN}{channel.pk}/change/",
        _change_form(channel, host="CongChuc.QuangNinh.gov.vn."),
    )
    channel.refresh_from_db()
    assert channel.host == "congchuc.quangninh.gov.vn"


@pytest.mark.parametrize("who", ["anonymous", "staff_member"])
def test_others_cannot_change_the_registry(client, default_registry, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    response = client.post(
        f"{CHANNEL_ADMIN}{channel.pk}/change/", _change_form(channel, status="retired")
    )
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login/" in response["Location"]
    channel.refresh_from_db()
    assert channel.status == "active"


def test_editor_cannot_manage_users(client, editor):
    client.force_login(editor)
    assert client.get("/quan-tri/auth/user/").status_code == 403


def test_roles_have_least_privilege(db):
    groups = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in services.sync_roles()
    }
    assert groups[roles.STAFF] == set()
    assert "change_channel" in groups[roles.EDITOR] and "change_user" not in groups[roles.EDITOR]
    assert "change_user" in groups[roles.ADMINISTRATOR]
    assert not any(
        p.startswith(("add_", "change_", "delete_")) for p in groups[roles.REPORT_HANDLER]
    )


def test_first_administrator_gets_a_generated_password_once(db):
    created = services.ensure_administrator("quantri-dau")
    assert created.password and len(created.password) >= 12
    user = get_user_model().objects.get(username="quantri-dau")
    assert user.is_superuser and user.check_password(created.password)
    assert services.ensure_administrator("quantri-dau") is None


def test_login_page_in_vietnamese(client, editor):
    page = client.get("/dang-nhap/")
    assert "Đăng nhập" in page.content.decode()
    response = client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(client, editor):
    for _ in range(3):
        client.post("/dang-nhap/", {"username": "bientap", "password": "sai-mat-khau"})
    locked = client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD})
    assert locked.status_code == 429
    assert "khóa" in locked.content.decode() or "khoá" in locked.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_lock_out_says_when_to_try_again(client, editor):
    """Retry-After: the cool-off (15 minutes) counted from the latest attempt; an attempt made
    while locked out starts the wait again, and once it has passed the log-in works."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(3):
        client.post("/dang-nhap/", {"username": "bientap", "password": "sai-mat-khau"})
    locked = client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD})
    assert 840 <= int(locked["Retry-After"]) <= 900
    assert "15 phút" in locked.content.decode()
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    again = client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD})
    assert again.status_code == 429 and 840 <= int(again["Retry-After"]) <= 900
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert (
        client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD}).status_code == 302
    )


def test_admin_refuses_an_identifier_another_channel_uses(client, editor, default_registry):
    client.force_login(editor)
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    response = client.post(
        f"{CHANNEL_ADMIN}{channel.pk}/change/", _change_form(channel, host="WHO.int")
    )
    assert response.status_code == 200
    holder = Channel.objects.get(kind="website", host="who.int")
    taken = f"Kênh “{holder.name}” (mã {holder.slug}) đã dùng định danh này (who.int)."
    assert response.context["adminform"].form.errors["host"] == [taken]
    channel.refresh_from_db()
    assert channel.host == "congchuc.quangninh.gov.vn"
