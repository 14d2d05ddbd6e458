"""The reason an editor gives for a change ("Lý do thay đổi") is kept in the record's history and
read later, in the back office and by whoever exports it: a reason made of invisible characters
says nothing, and a terminal escape sequence (ESC [2J clears the screen of whoever prints the
history) must never be stored. Each is refused in Vietnamese, beside the field, and nothing is
saved."""

import pytest
from django.contrib import admin

from chinhthong.registry.models import Channel
from tests.accounts.test_back_office_permissions import form_data

SLUG = "web-cong-thong-tin-cong-chuc"
NO_WORDS = "Hãy ghi lý do bằng chữ: lý do không có chữ cái hay chữ số nào."


def _invisible(code: str, position: int = 1) -> str:
    return (
        f"Có chứa ký tự ẩn {code} tại vị trí {position}; không được dùng ký tự điều khiển và "
        "ký tự đổi hướng văn bản."
    )


@pytest.fixture
def channel_form(client, editor, default_registry):
    client.force_login(editor)
    channel = Channel.objects.get(slug=SLUG)
    data = {**form_data(admin.site._registry[Channel], channel), "notes": "Ghi chú mới"}
    return f"/quan-tri/registry/channel/{channel.pk}/change/", data


@pytest.mark.parametrize(
    ("reason", "errors"),
    [
        ("\u200b", [_invisible("U+200B")]),
        ("\u200b\u200c\u2060", [_invisible("U+200B")]),
        ("\x1b[2J", [_invisible("U+001B")]),
        ("Theo văn bản\x1b[2J", [_invisible("U+001B", 13)]),
        ("Theo văn bản\u202e1341", [_invisible("U+202E", 13)]),
        ("Dòng một\ndòng hai", [_invisible("U+000A", 9)]),
        ("\u0301\u0300", [NO_WORDS]),  # tone marks with no letter to sit on
        ("...", [NO_WORDS]),
        ("\u2800", [_invisible("U+2800")]),  # the blank braille pattern
    ],
    ids=[
        "zero-width",
        "zero-widths",
        "escape",
        "escape-after",
        "rlo",
        "line-break",
        "marks",
        "dots",
        "braille-blank",
    ],
)
def test_a_reason_without_visible_words_or_with_control_characters_is_refused(
    client, channel_form, reason, errors
):
    url, data = channel_form
    channel = Channel.objects.get(slug=SLUG)
    versions = channel.history.count()
    response = client.post(url, {**data, "change_reason": reason})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == errors
    channel.refresh_from_db()
    assert channel.history.count() == versions and channel.notes != "Ghi chú mới"


@pytest.mark.parametrize("reason", ["Theo văn bản 1341/STTTT-TTBCXB", "1341", "Sửa lỗi chính tả"])
def test_a_reason_in_words_is_kept_in_the_history(client, channel_form, reason):
    url, data = channel_form
    response = client.post(url, {**data, "change_reason": f"  {reason}  "})
    assert response.status_code == 302
    channel = Channel.objects.get(slug=SLUG)
    assert channel.notes == "Ghi chú mới"
    assert channel.history.first().history_change_reason == reason
    page = client.get(f"/quan-tri/registry/channel/{channel.pk}/history/").content.decode()
    assert reason in page


def test_reverting_to_a_past_version_refuses_the_same_reasons(client, channel_form):
    _url, _data = channel_form
    channel = Channel.objects.get(slug=SLUG)
    version = channel.history.last()
    url = f"/quan-tri/registry/channel/{channel.pk}/history/{version.history_id}/"
    data = {**form_data(admin.site._registry[Channel], channel), "change_reason": "\x1b[2J"}
    versions = channel.history.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == [_invisible("U+001B")]
    assert channel.history.count() == versions
