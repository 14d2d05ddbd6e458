"""The review queue in the back office, as an editor uses it: register a channel's feed (an
address off its domain refused on the form), poll it now, read the waiting items oldest first,
reword one and approve it into a bulletin draft, reject another."""

import pytest

from chinhthong.bulletins import intake
from chinhthong.bulletins.models import Bulletin, FeedItem, FeedSource, ItemStatus, Status
from tests.bulletins.intake_helpers import CONGCHUC, ELSEWHERE, IntakeEnv, rss

SOURCES = "/quan-tri/bulletins/feedsource/"
ITEMS = "/quan-tri/bulletins/feeditem/"


@pytest.fixture
def env(db, monkeypatch, settings):
    with IntakeEnv(monkeypatch, settings) as running:
        yield running


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def _source_form(env, path: str, **fields) -> dict:
    from chinhthong.registry.models import Channel

    channel = Channel.objects.get(slug="web-congchuc")
    data = {"channel": channel.pk, "url": env.url(path), "kind": "feed", "every_minutes": 30}
    data.update(fields, enabled="on")
    return data


def test_an_editor_registers_a_feed_and_polls_it_now(
    env, signed_in, editor, django_capture_on_commit_callbacks
):
    env.server.route("/rss.xml", body=rss(("Tin mới", f"https://{CONGCHUC}/tin/1", "Tóm tắt")))
    response = signed_in.post(f"{SOURCES}add/", _source_form(env, "/rss.xml"))
    assert response.status_code == 302, response.content.decode()[:2000]
    source = FeedSource.objects.get()
    assert source.history.get().history_user == editor
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            SOURCES, {"action": "poll_now", "_selected_action": [source.pk], "index": "0"}
        )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.last_polled_at is not None and source.last_error == ""
    assert FeedItem.objects.get().title == "Tin mới"
    page = signed_in.get(SOURCES).content.decode()
    assert env.url("/rss.xml") in page


def test_the_form_refuses_an_address_off_the_channels_domain(env, signed_in):
    data = _source_form(env, "/rss.xml", url=f"https://{ELSEWHERE}/rss.xml")
    response = signed_in.post(f"{SOURCES}add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        f"{ELSEWHERE} không thuộc tên miền của kênh “Cổng thông tin công chức” ({CONGCHUC}): "
        "chỉ đọc nguồn tin trên tên miền của chính kênh đó."
    ]
    choices = [str(c) for _v, c in response.context["adminform"].form.fields["channel"].choices]
    # Only active website channels: not the one pending review, not the Facebook page.
    assert set(choices) == {"---------", "Cổng thông tin công chức", "Cổng thông tin Tỉnh ủy"}
    assert not FeedSource.objects.exists()


def _three_items(env, editor) -> list[FeedItem]:
    for path, title in (("/a", "Tin A"), ("/b", "Tin B"), ("/c", "Tin C")):
        env.server.route(path, body=rss((title, f"https://{CONGCHUC}/tin{path}", "Nội dung")))
        intake.poll(env.source(path))
    intake.reject(FeedItem.objects.get(title="Tin A"), actor=editor)
    return list(FeedItem.objects.order_by("pk"))


def test_waiting_items_come_first_oldest_first(env, signed_in, editor):
    _three_items(env, editor)
    response = signed_in.get(ITEMS)
    assert [i.title for i in response.context["cl"].result_list] == ["Tin B", "Tin C", "Tin A"]
    waiting = signed_in.get(f"{ITEMS}?status__exact=pending")
    assert [i.title for i in waiting.context["cl"].result_list] == ["Tin B", "Tin C"]
    assert signed_in.get(f"{ITEMS}add/").status_code == 403  # items come from feeds only


def test_reword_and_approve_in_one_step(env, signed_in, editor):
    _a, item, _c = _three_items(env, editor)
    page = signed_in.get(f"{ITEMS}{item.pk}/change/").content.decode()
    assert 'name="_approve"' in page and 'name="_reject"' in page
    response = signed_in.post(
        f"{ITEMS}{item.pk}/change/",
        {"title": "Tin B (đã biên tập)", "summary": "Tóm tắt <b>mới</b>", "_approve": "1"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == (ItemStatus.APPROVED, editor)
    bulletin = Bulletin.objects.get()
    assert item.bulletin == bulletin and bulletin.status == Status.DRAFT
    assert bulletin.latest_version.title == "Tin B (đã biên tập)"
    assert bulletin.latest_version.summary == "Tóm tắt mới"
    # Reviewed: shown read-only, and not approved twice.
    page = signed_in.get(f"{ITEMS}{item.pk}/change/").content.decode()
    assert 'name="_approve"' not in page and 'name="title"' not in page
    signed_in.post(f"{ITEMS}{item.pk}/change/", {"_approve": "1"})
    assert Bulletin.objects.count() == 1


def test_reject_from_the_item_and_in_bulk(env, signed_in, editor):
    _a, b, c = _three_items(env, editor)
    response = signed_in.post(f"{ITEMS}{b.pk}/change/", {"title": b.title, "_reject": "1"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.status, b.reviewed_by) == (ItemStatus.REJECTED, editor)
    response = signed_in.post(
        ITEMS, {"action": "approve_selected", "_selected_action": [c.pk, b.pk], "index": "0"}
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == ItemStatus.APPROVED and Bulletin.objects.count() == 1


def test_hostile_text_is_shown_as_text(env, signed_in):
    env.server.route(
        "/rss.xml",
        body=rss(
            (
                "Tin &lt;img src=x onerror=alert(1)&gt; thật",
                f'https://{CONGCHUC}/tin/"onmouseover="alert(1)',
                "&lt;script&gt;alert(2)&lt;/script&gt;",
            )
        ),
    )
    intake.poll(env.source("/rss.xml"))
    item = FeedItem.objects.get()
    assert item.title == "Tin thật"
    page = signed_in.get(f"{ITEMS}{item.pk}/change/").content.decode()
    assert "onerror" not in page and "<script>alert" not in page
    assert '"onmouseover="' not in page
