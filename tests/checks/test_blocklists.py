"""Blocklist feeds: each format read, imports all-or-nothing, replace, expiry, removal, and a
scheduled fetch from a real HTTP server on loopback."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhthong.checks import blocklists, services
from chinhthong.checks.engines import reset
from chinhthong.checks.models import BlocklistEntry, BlocklistSource
from tests.checks.conftest import FeedHandler

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("fmt", "file", "listed"),
    [
        ("phishtank", "phishtank.csv", "https://dichvucong-xacminh.top/dang-nhap"),
        ("phishtank", "phishtank.json", "http://bhxh-tracuu.site/login"),
        ("openphish", "openphish.txt", "http://CSGT-NOPPHAT.online:80/tra-cuu?bien=30A12345#top"),
        ("urlhaus", "urlhaus.csv", "http://203.0.113.77/bins/huongdan-phongdich.exe"),
    ],
)
def test_each_feed_format_makes_its_links_malicious(db, fmt, file, listed):
    summary = blocklists.import_file((DATA / file).read_bytes(), fmt, fmt)
    assert summary.added >= 2 and not summary.skipped
    result = services.check(listed)
    assert result.verdict == "malicious"
    assert result.reasons[0].params_dict["source"] == fmt


def test_plain_list_with_hosts_matches_subdomains(db):
    blocklists.import_file(b"# scam hosts\nnopphat-csgt.online\nhttp://x.top/a\n", "plain", "tay")
    assert services.check("https://tra-cuu.nopphat-csgt.online/").verdict == "malicious"
    assert services.check("http://x.top/a").verdict == "malicious"
    assert services.check("http://x.top/b").verdict != "malicious"


def test_a_bad_line_rejects_the_whole_file(db):
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.import_file(b"good.top\nnot a domain at all\nhttp://ok.top/\n", "plain", "tay")
    assert "dòng 2" in str(caught.value)
    assert not BlocklistEntry.objects.exists()
    summary = blocklists.import_file(
        b"good.top\nnot a domain at all\n", "plain", "tay", skip_invalid=True
    )
    assert summary.added == 1 and len(summary.skipped) == 1


def test_replace_keeps_dates_of_entries_still_listed_and_drops_the_rest(db):
    blocklists.import_file(b"a.top\nb.top\n", "plain", "feed")
    first_added = BlocklistEntry.objects.get(value="a.top").added_at
    summary = blocklists.import_file(b"a.top\nc.top\n", "plain", "feed", replace=True)
    assert (summary.added, summary.kept, summary.removed) == (1, 1, 1)
    assert set(BlocklistEntry.objects.values_list("value", flat=True)) == {"a.top", "c.top"}
    assert BlocklistEntry.objects.get(value="a.top").added_at == first_added


def test_entries_expire_and_can_be_removed(db):
    source = BlocklistSource.objects.create(name="feed", format="plain", keep_days=7)
    blocklists.import_entries(source, [blocklists.feeds.entry_for("old.top")], replace=False)
    assert services.check("old.top").verdict == "malicious"
    assert blocklists.expire(timezone.now() + dt.timedelta(days=8)) == 1
    reset()
    assert services.check("old.top").verdict != "malicious"
    blocklists.import_file(b"wrong.top\n", "plain", "tay")
    assert blocklists.remove("WRONG.top") == 1
    reset()
    assert services.check("wrong.top").verdict != "malicious"


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_scheduled_fetch_from_a_feed_server(db, feed_server):
    FeedHandler.body = (DATA / "openphish.txt").read_bytes()
    url = f"http://127.0.0.1:{feed_server.server_port}/feed.txt"
    source = BlocklistSource.objects.create(
        name="openphish", format="openphish", url=url, fetch_every_minutes=60
    )
    assert blocklists.due_sources() == [source]
    from chinhthong.checks.tasks import fetch_due_blocklists

    outcome = fetch_due_blocklists.enqueue().return_value
    assert outcome == {"openphish": "+3 =0 -0"}
    assert blocklists.due_sources() == []  # fetched just now
    assert services.check("https://login-zalo-vn.site/").verdict == "malicious"


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_a_feed_is_fetched_from_the_address_that_was_vetted(db, feed_server, rebinding_dns):
    """The name answers an allowed address for the check, then nothing: the download must go
    to the vetted address, naming the host."""
    FeedHandler.body, FeedHandler.hosts = b"scam.example.top\n", []
    port = feed_server.server_port
    assert blocklists.download(f"http://feed.invalid:{port}/feed.txt") == b"scam.example.top\n"
    assert FeedHandler.hosts == [f"feed.invalid:{port}"]


def test_feeds_on_private_addresses_are_refused(db, feed_server):
    url = f"http://127.0.0.1:{feed_server.server_port}/feed.txt"
    source = BlocklistSource.objects.create(name="local", format="plain", url=url)
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.fetch(source)
    assert "127.0.0.1" in str(caught.value)
    source.refresh_from_db()
    assert source.last_error and source.last_fetched_at
    assert not BlocklistEntry.objects.exists()


def test_entries_typed_in_the_admin_are_canonical(client, editor):
    client.force_login(editor)
    source = BlocklistSource.objects.create(name="tay", format="plain")
    response = client.post(
        "/quan-tri/checks/blocklistentry/add/",
        {"source": source.pk, "value": "HTTP://Scam.TOP:80/Form#x"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    entry = BlocklistEntry.objects.get()
    assert (entry.kind, entry.value) == ("url", "http://scam.top/Form")
    assert services.check("http://scam.top/Form").verdict == "malicious"
    bad = client.post(
        "/quan-tri/checks/blocklistentry/add/", {"source": source.pk, "value": "not a thing"}
    )
    assert bad.status_code == 200 and BlocklistEntry.objects.count() == 1
