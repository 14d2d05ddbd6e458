"""Sentences the back office builds from a record's name read as Vietnamese: Django puts the
name into "Xóa %s đã chọn", "%(count)s %(name)s", "Chọn %s để xem", "Thêm %s", so every name is
a plain lowercase noun without "các", in every section (ours and third-party), and Django's own
sentences around them are ours where its Vietnamese adds "các" or "Thêm vào"."""

import html
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import translation

from tests.conftest import PASSWORD

# A name that starts a sentence's object with "các"/"những", or a count before one.
DOUBLED = re.compile(r"\b(các|những) (các|những)\b", re.IGNORECASE)
COUNTED_PLURAL = re.compile(r"\b\d+ (các|những|Các|Những)\b")


def _names(model) -> tuple[str, str]:
    with translation.override("vi"):
        return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def _models() -> list:
    """Every model the back office lists, and the rows it lists before a person is deleted."""
    return [*admin.site._registry, User.groups.through, User.user_permissions.through]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_record_is_named_by_a_plain_lowercase_noun(model):
    for name in _names(model):
        assert name and name[0] == name[0].lower(), name
        assert not re.match(r"(các|những) ", name), name
        assert re.search(r"[à-ỹđ]", name), f"no Vietnamese for {name!r}"


def test_the_task_queue_dashboard_has_a_vietnamese_name():
    dashboard = apps.get_model("django_rq", "Dashboard")
    assert _names(dashboard) == ("hàng đợi tác vụ", "hàng đợi tác vụ")
    with translation.override("vi"):
        assert str(apps.get_app_config("django_rq").verbose_name) == "Hàng đợi tác vụ"


def _text(response) -> str:
    page = response.content.decode()
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _options(response) -> list[str]:
    found = re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]*)</option>", response.content.decode())
    return [html.unescape(o).strip() for o in found]


def _reads_right(text: str) -> None:
    assert not DOUBLED.search(text), DOUBLED.search(text).group(0)
    assert not COUNTED_PLURAL.search(text), COUNTED_PLURAL.search(text).group(0)
    assert "Thêm vào" not in text and " Bởi " not in text and "Hoạt động:" not in text
    assert "những lựa chọn" not in text and "?Tất cả" not in text


@pytest.fixture
def every_section(client, administrator, editor, default_registry):
    """The back office as an administrator sees it, with a record in most sections: the
    registry, a person locked out after wrong passwords, a log-in, a queued task."""
    from chinhthong.registry.tasks import rebuild_snapshot

    for _attempt in range(2):
        Client().post("/dang-nhap/", {"username": "bientap", "password": "sai"})
    queued = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    with override_settings(TASKS={"default": queued}):
        rebuild_snapshot.enqueue()
    client.post("/dang-nhap/", {"username": "quantri", "password": PASSWORD})
    return client


def test_the_index_names_sections_and_adds_without_thêm_vào(every_section):
    page = _text(every_section.get("/quan-tri/"))
    _reads_right(page)
    for model in admin.site._registry:
        plural = _names(model)[1]
        assert plural[0].upper() + plural[1:] in page, model._meta.label
    assert "Vai trò" in page and "Người dùng" in page and "Kết quả tác vụ" in page


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_each_list_its_actions_count_and_deletion_read_right(every_section, model):
    client, opts = every_section, model._meta
    singular, plural = _names(model)
    url = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
    listing = client.get(url)
    page = _text(listing)
    _reads_right(page)
    assert re.search(rf"Chọn {re.escape(singular)} để (thay đổi|xem)", page), page[:300]
    count = model._default_manager.count()
    assert f"{count} {singular if count == 1 else plural}" in page
    if f'href="{url}add/"' in listing.content.decode():
        assert f"Thêm {singular}" in page
    options = _options(listing)
    if "delete_selected" in listing.content.decode():
        assert f"Xóa {plural} đã chọn" in options, options
        assert "Thao tác:" in page and "Thực hiện" in page
    for option in options:
        _reads_right(option)

    record = model._default_manager.order_by("-pk").first()
    if record is None or "delete_selected" not in listing.content.decode():
        return
    one = _text(client.get(f"{url}{record.pk}/delete/"))
    chosen = client.post(url, {"action": "delete_selected", "_selected_action": [record.pk]})
    many = _text(chosen)
    for page in (one, many):
        _reads_right(page)
        assert "relationship" not in page and " object (" not in page
    assert f"muốn xóa {singular} “" in one or f"Xóa {singular} “" in one
    assert f"muốn xóa {singular} đã chọn?" in many or f"Xóa {singular} đã chọn" in many


def test_deleting_a_person_lists_their_roles_in_words(every_section, editor):
    page = _text(every_section.get(f"/quan-tri/auth/user/{editor.pk}/delete/"))
    assert "Bạn có chắc muốn xóa người dùng “bientap”?" in page
    assert "Vai trò được giao: Biên tập viên của “bientap”" in page


def test_a_deleted_record_is_reported_in_a_sentence(every_section):
    from chinhthong.registry.models import ReportRecipient

    recipient = ReportRecipient.objects.order_by("pk").first()
    response = every_section.post(
        f"/quan-tri/registry/reportrecipient/{recipient.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert f"Đã xóa nơi tiếp nhận phản ánh “{recipient.name}”." in _text(response)


# --- one spelling ------------------------------------------------------------------------------
# Vietnamese writes a tone on "oa", "oe", "uy" ending a syllable either on the first vowel
# (khóa, xóa, hủy — as Django's catalogue and the rest of ours do) or on the second (khoá, xoá,
# huỷ). Mixing both on one screen reads as a typo.
OLD_STYLE = re.compile(r"(?<![qQ])(o[áàảãạ]|u[ýỳỷỹỵ]|o[éèẻẽẹ])(?![a-zà-ỹđ])", re.IGNORECASE)


def test_the_catalogue_places_tone_marks_one_way():
    from tests.test_translations import CATALOGUE

    translated = [
        line
        for line in CATALOGUE.read_text(encoding="utf-8").splitlines()
        if line.startswith(("msgstr", '"'))
    ]
    mixed = [line for line in translated if OLD_STYLE.search(line)]
    assert not mixed, mixed[:5]
    assert any("khóa" in line for line in translated)
