"""The back office's search, given a thousand words: on SQLite each word was one more level of
the query's expression tree, and 1,000 words answered 500 ("Expression tree is too large");
3,000 took 0.4 s each. Every admin with a search box, as every role that may view it, answers
with the first words only and says so; nothing answers 500."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages import WARNING
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from chinhthong.accounts import backoffice, roles
from chinhthong.registry.models import Channel
from tests.accounts import test_back_office_permissions as matrix

people = matrix.people  # fixtures: a user of every role, and records of every model
records = matrix.records

WORDS = 1000


def _searchable():
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model, model_admin in admin.site._registry.items()
        if model_admin.get_search_fields(request)
    ]


def _warning() -> str:
    return gettext(
        "The search was too long: only its first %(words)s words (at most %(chars)s "
        "characters) were used."
    ) % {"words": backoffice.SEARCH_MAX_WORDS, "chars": backoffice.SEARCH_MAX_CHARS}


def test_every_admin_is_bounded():
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, backoffice.BackOfficeAdmin), type(model_admin)


@pytest.mark.parametrize("model", _searchable())
def test_a_thousand_words_as_every_role_that_may_view(client, records, model):
    opts = model._meta
    url = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
    long_search = " ".join(f"a{i}" for i in range(WORDS))
    # A superuser too: some pages (axes' failure log) are for superusers only.
    users = {**records, "superuser": get_user_model().objects.create_superuser("sieu", "")}
    viewers = [r for r in matrix.ROLES if matrix._may_view(r, model)] + ["superuser"]
    for role, user in users.items():
        with matrix._as(client, user):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"q": long_search})
            assert response.status_code < 500, role
            if role not in viewers:
                continue
            assert response.status_code == 200, role
            shown = [(m.level, m.message) for m in response.context["messages"]]
            assert shown == [(WARNING, _warning())], role
            assert "a9" in response.content.decode()  # the search box keeps what was sent
            # The words past the first ten never reach the database.
            sql = " ".join(q["sql"] for q in queries.captured_queries)
            assert "a10%" not in sql and "a999" not in sql, role


def test_the_first_words_are_searched_and_a_short_search_says_nothing(client, records):
    client.force_login(records[roles.EDITOR])
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    word = channel.slug.split("-")[-1]
    response = client.get("/quan-tri/registry/channel/", {"q": " ".join([word] * 3000)})
    assert response.status_code == 200
    assert channel in response.context["cl"].result_list
    assert [m.message for m in response.context["messages"]] == [_warning()]
    response = client.get("/quan-tri/registry/channel/", {"q": f"{word} {word}"})
    assert channel in response.context["cl"].result_list
    assert list(response.context["messages"]) == []


def test_one_very_long_word_is_cut(client, records):
    client.force_login(records[roles.REPORT_HANDLER])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/quan-tri/registry/agency/", {"q": "b" * 100_000})
    assert response.status_code == 200
    assert [m.message for m in response.context["messages"]] == [_warning()]
    longest = max(len(q["sql"]) for q in queries.captured_queries)
    assert longest < 20_000


def test_the_autocomplete_search_is_bounded_too(client, records):
    client.force_login(records[roles.EDITOR])
    response = client.get(
        "/quan-tri/autocomplete/",
        {
            "term": " ".join(f"a{i}" for i in range(WORDS)),
            "app_label": "registry",
            "model_name": "channel",
            "field_name": "agency",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
