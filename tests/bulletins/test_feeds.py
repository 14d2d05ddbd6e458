"""/ban-tin/rss.xml and /ban-tin/atom.xml as feed readers and validators take them: Atom checked
against RFC 4287's RELAX NG schema (bulletins/data/atom.rng, run by lxml) and the rules the
schema states in Schematron, RSS 2.0 against the elements its specification requires, both
parsed by feedparser without a complaint; ids that never change, dates that follow
corrections, topics as categories."""

from email.utils import parsedate_to_datetime
from importlib import resources

import feedparser
import pytest
from django.conf import settings
from lxml import etree

from chinhthong.bulletins import services
from tests.bulletins.public_bulletins import correct, draft, publish

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def atom_schema() -> etree.RelaxNG:
    path = resources.files("chinhthong.bulletins").joinpath("data/atom.rng")
    return etree.RelaxNG(etree.fromstring(path.read_bytes()))


def assert_valid_atom(body: bytes) -> etree._Element:
    root = etree.fromstring(body)
    schema = atom_schema()
    assert schema.validate(root), schema.error_log
    # The schema's Schematron rules (not run by lxml): an author for the feed or for every
    # entry; no two alternate links of one type and language in a feed or an entry.
    entries = root.findall(f"{ATOM}entry")
    assert root.find(f"{ATOM}author") is not None or all(
        e.find(f"{ATOM}author") is not None for e in entries
    )
    for element in (root, *entries):
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in element.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates))
        assert element.find(f"{ATOM}id") is not None and element.find(f"{ATOM}updated") is not None
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return root


def test_atom_is_valid_and_lists_the_newest_first(client):
    first = publish(
        title="Lịch tiêm chủng tuần này", tags=["y tế"], body_markdown="Tiêm tại phường."
    )
    second = publish()
    services.create_draft(draft(title="Bản nháp chưa đăng"), actor=None)
    response = client.get("/ban-tin/atom.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = assert_valid_atom(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [f"{settings.PUBLIC_URL}/ban-tin/{b.slug}/" for b in (second, first)]
    parsed = feedparser.parse(response.content)
    assert parsed.feed.title.startswith("Bản tin — ")
    assert [t.term for t in parsed.entries[0].tags] == ["lừa đảo", "an toàn thông tin"]
    assert "<strong>không bấm</strong>" in parsed.entries[0].summary


def test_a_correction_keeps_the_id_and_moves_the_update(client):
    bulletin = publish()
    before = feedparser.parse(client.get("/ban-tin/atom.xml").content).entries[0]
    correct(bulletin, title="Cảnh báo lừa đảo qua Zalo và Facebook", change_note="Thêm Facebook")
    body = client.get("/ban-tin/atom.xml").content
    assert_valid_atom(body)
    after = feedparser.parse(body).entries[0]
    assert after.id == before.id
    assert after.published == before.published
    assert after.updated_parsed >= before.updated_parsed and after.updated != before.updated
    assert after.title == "Cảnh báo lừa đảo qua Zalo và Facebook"
    assert "Đã đính chính (phiên bản 2)" in after.summary
    rss = feedparser.parse(client.get("/ban-tin/rss.xml").content).entries[0]
    assert rss.id == before.id and rss.title == after.title


def test_rss_has_what_the_specification_requires(client):
    bulletins = [publish(title="Lịch tiêm chủng tuần này", body_markdown="Tiêm."), publish()]
    response = client.get("/ban-tin/rss.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    # RSS 2.0: a channel's required elements, each non-empty; an item needs a title or a
    # description; a guid that says it is a permalink is one.
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    assert channel.findtext("link") == f"{settings.PUBLIC_URL}/ban-tin/"
    assert channel.findtext("language") == "vi"
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        f"{settings.PUBLIC_URL}/ban-tin/{b.slug}/" for b in reversed(bulletins)
    ]
    for item, bulletin in zip(items, reversed(bulletins), strict=True):
        assert item.findtext("title") or item.findtext("description")
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate")) == bulletin.published_at.replace(
            microsecond=0
        )
        assert [c.text for c in item.findall("category")] == bulletin.tags
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert len(parsed.entries) == 2


def test_feeds_are_empty_but_valid_with_nothing_published(client, db):
    assert_valid_atom(client.get("/ban-tin/atom.xml").content)
    parsed = feedparser.parse(client.get("/ban-tin/rss.xml").content)
    assert parsed.bozo == 0 and parsed.entries == []


def test_the_schema_refuses_a_feed_that_breaks_rfc_4287(client):
    """The schema does its job: an entry without its id is refused."""
    publish()
    root = etree.fromstring(client.get("/ban-tin/atom.xml").content)
    entry = root.find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}id"))
    assert not atom_schema().validate(root)
