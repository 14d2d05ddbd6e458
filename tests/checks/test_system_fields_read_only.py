"""Fields the program writes (a feed's last fetch and its error, when an entry was added or last
seen in its feed, timestamps, digests, counters) are shown in the back office but cannot be
changed there: an editor posting them changes nothing."""

import datetime as dt
import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone

from chinhthong.checks.models import BlocklistSource
from tests.accounts.test_back_office_permissions import form_data

# Editable fields whose names look like the program's but that people set.
SET_BY_PEOPLE = {
    ("checks", "blocklistentry", "expires_at"),  # an editor may end an entry
    ("registry", "channel", "last_verified"),  # the date an editor confirmed the channel
    ("auth", "user", "last_name"),
}
LOOKS_WRITTEN_BY_THE_PROGRAM = re.compile(
    r"(_at$|^last_|_time$|date_joined|digest|sha256|signature|key_id|count|version|search_text"
    r"|_key$|failures|expiration)"
)


def _superuser_request():
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    return request


def test_an_editor_cannot_set_a_feeds_last_fetch_or_its_error(client, editor):
    fetched = timezone.now() - dt.timedelta(hours=3)
    source = BlocklistSource.objects.create(
        name="nguon", format="plain", last_fetched_at=fetched, last_error="Máy chủ không trả lời."
    )
    client.force_login(editor)
    page = client.get(f"/quan-tri/checks/blocklistsource/{source.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Máy chủ không trả lời." in html  # shown
    assert 'name="last_error"' not in html and 'name="last_fetched_at' not in html
    model_admin = admin.site._registry[BlocklistSource]
    data = {
        **form_data(model_admin, source),
        "title": "Nguồn đã sửa",
        "last_fetched_at_0": "01/01/2099",
        "last_fetched_at_1": "00:00:00",
        "last_fetched_at": "2099-01-01 00:00:00",
        "last_error": "",
    }
    response = client.post(f"/quan-tri/checks/blocklistsource/{source.pk}/change/", data)
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "Nguồn đã sửa"  # the rest of the form was saved
    assert source.last_fetched_at == fetched
    assert source.last_error == "Máy chủ không trả lời."


def test_no_back_office_form_lets_anyone_set_a_field_the_program_writes(db):
    request = _superuser_request()
    editable = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not opts.db_table or opts.app_label == "django_rq":
            continue
        form = model_admin.get_form(request, None, change=False)
        for name, field in form.base_fields.items():
            where = (opts.app_label, opts.model_name, name)
            if field.disabled or where in SET_BY_PEOPLE:
                continue
            if LOOKS_WRITTEN_BY_THE_PROGRAM.search(name):
                editable.append(".".join(where))
    assert editable == []
