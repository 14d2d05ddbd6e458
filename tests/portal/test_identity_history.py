"""The site's identity is what residents see on every page: each change in the back office gives
its reason, and its history shows what changed — an emblem or site icon replaced or removed too,
as the image's type, size and digest."""

import hashlib
import html
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.portal import services
from chinhthong.portal.models import SiteIdentity
from tests.accounts.test_back_office_permissions import form_data
from tests.conftest import PASSWORD
from tests.portal import pictures

URL = "/quan-tri/portal/siteidentity/1/change/"
HISTORY = "/quan-tri/portal/siteidentity/1/history/"


@pytest.fixture
def form(default_registry, client):
    services.load_default_identity()
    client.force_login(accounts.create_user("quan-tri-trang", PASSWORD, role=roles.ADMINISTRATOR))
    return form_data(admin.site._registry[SiteIdentity], services.stored_identity())


def _upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _changes(client) -> list[str]:
    """The history's rows, newest first, each as its reason and its list of changes read."""
    page = client.get(HISTORY).content.decode()
    table = page.split('id="change-history"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    return [" ".join(html.unescape(strip_tags(row)).split()) for row in rows]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_a_change_without_a_reason_is_refused(client, form):
    assert "change_reason" in form
    versions = services.identity().history.count()
    for reason in ("", "   ", "\u200b", "\x1b[2J"):
        response = client.post(URL, {**form, "hours": "Cả tuần", "change_reason": reason})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["change_reason"]
    found = services.identity()
    assert found.hours != "Cả tuần" and found.history.count() == versions


def test_the_reason_and_the_change_are_in_the_history(client, form):
    data = {**form, "hours": "Thứ Hai đến Thứ Sáu", "change_reason": "Giờ làm việc mới"}
    assert client.post(URL, data).status_code == 302
    assert services.identity().history.first().history_change_reason == "Giờ làm việc mới"
    newest = _changes(client)[0]
    assert "Giờ làm việc mới" in newest
    assert "Giờ làm việc: (trống) → Thứ Hai đến Thứ Sáu" in newest


def test_an_image_replaced_or_removed_shows_in_the_history(client, form):
    first, second, icon = pictures.png(64, 64), pictures.png(120, 96), pictures.ico()
    steps = [
        ({"emblem_file": _upload("quoc-huy.png", first)}, "Đặt biểu trưng"),
        (
            {
                "emblem_file": _upload("quoc-huy-moi.png", second),
                "favicon_file": _upload("icon.ico", icon, "image/x-icon"),
            },
            "Biểu trưng mới theo quyết định",
        ),
        ({"remove_emblem": "on"}, "Bỏ biểu trưng"),
    ]
    for fields, reason in steps:
        response = client.post(URL, {**form, **fields, "change_reason": reason})
        assert response.status_code == 302, response.content.decode()[:2000]
    removed, replaced, added = _changes(client)[:3]

    def shown(data: bytes, kind: str) -> str:
        assert len(data) < 1024  # its size in bytes
        return f"{kind}, {len(data)} byte, SHA-256 {_digest(data)}…"

    first_shown = shown(first, "PNG 64×64 px")
    second_shown = shown(second, "PNG 120×96 px")
    assert "Đặt biểu trưng" in added and f"Biểu trưng: (trống) → {first_shown}" in added
    assert "Biểu trưng mới theo quyết định" in replaced
    assert f"Biểu trưng: {first_shown} → {second_shown}" in replaced
    assert f"Biểu tượng trang: (trống) → {shown(icon, 'ICO 32×32 px')}" in replaced
    assert f"Biểu trưng: {second_shown} → (trống)" in removed
    assert "Biểu tượng trang" not in removed  # the icon stayed as it was


def test_a_version_with_another_emblem_can_be_restored_with_a_reason(client, form):
    first, second = pictures.png(64, 64), pictures.png(120, 96)
    for data, reason in ((first, "Biểu trưng cũ"), (second, "Biểu trưng mới")):
        upload = {"emblem_file": _upload("bieu-trung.png", data), "change_reason": reason}
        assert client.post(URL, {**form, **upload}).status_code == 302
    old = services.identity().history.get(history_change_reason="Biểu trưng cũ")
    revert = f"{HISTORY}{old.history_id}/"
    data = form_data(admin.site._registry[SiteIdentity], services.identity())
    assert client.post(revert, {**data, "change_reason": ""}).status_code == 200
    assert services.identity().emblem_sha256 == hashlib.sha256(second).hexdigest()
    response = client.post(revert, {**data, "change_reason": "Quay lại biểu trưng cũ"})
    assert response.status_code == 302
    assert services.identity().emblem_sha256 == hashlib.sha256(first).hexdigest()
    assert "Quay lại biểu trưng cũ" in _changes(client)[0]
    assert f"SHA-256 {_digest(second)}… → " in _changes(client)[0]
