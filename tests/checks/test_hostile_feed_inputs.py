"""Hostile inputs to blocklist sources and known sites: feed addresses on ports that do not
exist, feeds that crash their readers, control characters in stored names. Each is refused
with a message naming the field, and a feed that fails always says why in `last_error`."""

import pytest
from django.db import models
from django.test import override_settings
from django.utils import translation
from typer.testing import CliRunner

from chinhthong.checks import blocklists, engines, known_sites
from chinhthong.checks.models import BlocklistEntry, BlocklistSource, KnownSite
from chinhthong.checks.tasks import fetch_due_blocklists
from chinhthong.config import cli
from tests.checks.conftest import FeedHandler

cli._mount()
runner = CliRunner()

PORT_MESSAGE = "“{url}” has a port that is not a number from 1 to 65535."
CONTROL_MESSAGE = (
    "Contains the invisible character {code} at position {position}; control and "
    "text-direction characters are not allowed."
)


@pytest.fixture(autouse=True)
def _english_and_fresh_engine(monkeypatch):
    monkeypatch.setenv("CHINHTHONG_LANGUAGE", "en")
    engines.reset()
    with translation.override("en"):
        yield
    engines.reset()


# --- 3. Feed addresses on ports that do not exist ---------------------------------------------
def test_the_back_office_refuses_a_feed_on_a_port_out_of_range(client, administrator):
    client.force_login(administrator)
    url = "https://feed.example.org:99999/list.txt"
    response = client.post(
        "/quan-tri/checks/blocklistsource/add/",
        {"name": "xa", "format": "plain", "url": url, "fetch_every_minutes": 60, "enabled": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [PORT_MESSAGE.format(url=url)]
    assert not BlocklistSource.objects.exists()


@pytest.mark.parametrize("port", ["99999", "0"])
def test_registering_a_feed_refuses_a_port_out_of_range(db, port):
    url = f"https://feed.example.org:{port}/list.txt"
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.register_feed("xa", url, "plain")
    assert str(caught.value) == f"field “feed address”: {PORT_MESSAGE.format(url=url)}"
    assert not BlocklistSource.objects.exists()
    good = blocklists.register_feed("xa", "https://feed.example.org:8443/list.txt", "plain")
    assert good.keep_days == 30 and BlocklistSource.objects.get().url.endswith(":8443/list.txt")


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_a_stored_feed_on_a_port_out_of_range_fails_alone_and_says_why(db, feed_server):
    """A row written before the check existed (or by a path that skips it): the scheduled task
    records the reason on that source and still fetches the others."""
    FeedHandler.body = b"scam.example.top\n"
    bad_url = "http://127.0.0.1:99999/feed.txt"
    BlocklistSource.objects.create(name="hong", format="plain", url=bad_url)
    BlocklistSource.objects.create(
        name="tot", format="plain", url=f"http://127.0.0.1:{feed_server.server_port}/feed.txt"
    )
    outcome = fetch_due_blocklists.enqueue().return_value
    reason = PORT_MESSAGE.format(url=bad_url)
    assert outcome == {"hong": f"error: {reason}", "tot": "+1 =0 -0"}
    broken = BlocklistSource.objects.get(name="hong")
    assert broken.last_error == reason and broken.last_fetched_at is not None
    assert BlocklistEntry.objects.get().value == "scam.example.top"


def test_a_feed_host_no_resolver_can_encode_is_recorded(db):
    for url in ("http://" + "a" * 64 + ".example.org/feed.txt", "http://a\x1bb.example.org/"):
        source = BlocklistSource.objects.create(name="dai", format="plain", url=url)
        with pytest.raises(blocklists.BlocklistError):
            blocklists.fetch(source)
        source.refresh_from_db()
        assert source.last_error.startswith("The feed's host ")
        assert source.last_error.endswith(" does not resolve.")
        assert "\x1b" not in source.last_error  # shown as U+FFFD
        source.delete()


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_any_other_failure_of_a_fetch_is_recorded_too(db, feed_server):
    """keep_days admits numbers no date can reach (kept as the back office allows them): the
    failure is recorded on the source and reported, not left to stop the task."""
    FeedHandler.body = b"scam.example.top\n"
    BlocklistSource.objects.create(
        name="xa-xoi",
        format="plain",
        url=f"http://127.0.0.1:{feed_server.server_port}/feed.txt",
        keep_days=2_000_000_000,
    )
    outcome = fetch_due_blocklists.enqueue().return_value
    source = BlocklistSource.objects.get()
    assert source.last_error.startswith("The fetch failed unexpectedly (OverflowError: ")
    assert source.last_error.endswith("); the server log has the details.")
    assert outcome == {"xa-xoi": f"error: {source.last_error}"}


# --- Feeds that crashed their readers ---------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "data", "detail"),
    [
        ("phishtank", b"[" * 100_000, "recursion"),
        ("urlhaus", b"# id,url\n1,http://" + b"a" * 200_000 + b".top/\n", "field larger"),
    ],
    ids=["json-100000-deep", "csv-field-200000"],
)
def test_feeds_that_crash_their_reader_are_refused_by_the_import(db, fmt, data, detail):
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.import_file(data, fmt, "tay")
    assert str(caught.value).startswith(f"The feed cannot be read as {fmt}: ")
    assert detail in str(caught.value)
    assert not BlocklistEntry.objects.exists()


def test_the_cli_import_of_such_a_feed_exits_1_with_the_reason(db, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000)
    result = runner.invoke(
        cli.app, ["blocklist", "import", str(path), "--format", "phishtank"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "The feed cannot be read as phishtank" in result.output


# --- 4. Control characters in stored text -----------------------------------------------------
@pytest.mark.parametrize(
    ("char", "code"),
    [("\x00", "U+0000"), ("\x85", "U+0085"), ("\u202e", "U+202E"), ("\u2066", "U+2066")],
)
def test_known_sites_refuse_control_characters_naming_the_field(db, char, code):
    with pytest.raises(known_sites.KnownSiteRejected) as caught:
        known_sites.add("laodong.vn", f"Báo{char} Lao Động", note=f"ghi{char}chú")
    assert str(caught.value) == (
        f"field “whose site”: {CONTROL_MESSAGE.format(code=code, position=4)}; "
        f"field “note”: {CONTROL_MESSAGE.format(code=code, position=4)}"
    )
    assert not KnownSite.objects.exists()


def test_known_site_text_of_several_lines_keeps_its_line_breaks(db):
    site = known_sites.add("laodong.vn", "Báo Lao Động", note="Dòng một\r\nDòng hai")
    assert site.note == "Dòng một\r\nDòng hai"


def test_the_knownsite_cli_refuses_a_name_with_a_text_direction_override(db):
    result = runner.invoke(
        cli.app,
        ["knownsite", "add", "laodong.vn", "--name", "Báo \u202eộgnĐ oaL"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "field “whose site”: Contains the invisible character U+202E at position 5" in (
        result.output
    )
    assert not KnownSite.objects.exists()


def test_a_blocklist_import_refuses_a_source_name_that_is_no_name(db):
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.import_file(b"scam.example.top\n", "plain", "tay\x00ba")
    assert str(caught.value).startswith("field “name”: ")
    assert not BlocklistSource.objects.exists()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"title": "Danh sách\x1b[31m"},
            "title",
            CONTROL_MESSAGE.format(code="U+001B", position=10),
        ),
        (
            {"url": "https://feed.example.org/\u202elist"},
            "url",
            CONTROL_MESSAGE.format(code="U+202E", position=26),
        ),
    ],
    ids=["title", "url"],
)
def test_the_back_office_refuses_control_characters_in_a_source(
    client, administrator, form, field, message
):
    client.force_login(administrator)
    data = {"name": "xa", "format": "plain", "fetch_every_minutes": 60, **form}
    response = client.post("/quan-tri/checks/blocklistsource/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]


@pytest.mark.parametrize("model", [BlocklistSource, KnownSite])
def test_every_stored_text_field_of_the_lists_refuses_control_characters(model):
    from chinhthong.config import validators  # here: the other tests run without it

    for field in model._meta.get_fields():
        if not isinstance(field, models.CharField | models.TextField) or not field.editable:
            continue
        if isinstance(field, models.SlugField) or field.choices:
            continue  # only their own few characters are admitted
        wanted = (
            validators.validate_multi_line
            if isinstance(field, models.TextField)
            else validators.validate_one_line
        )
        assert wanted in field.validators, f"{model.__name__}.{field.name}"


def test_add_feed_refuses_a_feed_that_can_never_be_fetched(db):
    from typer.testing import CliRunner

    from chinhthong.config import cli

    runner = CliRunner()
    for args in (
        ["http://feeds.example.vn:99999/list.txt"],
        ["https://feeds.example.vn/list.txt", "--keep-days", "99999999"],
        ["https://feeds.example.vn/list.txt", "--every", "0"],
    ):
        done = runner.invoke(
            cli.app, ["blocklist", "add-feed", "nguon", *args, "--format", "plain"]
        )
        assert done.exit_code == 2, done.output
    assert not BlocklistSource.objects.filter(name="nguon").exists()
    done = runner.invoke(
        cli.app,
        [
            "blocklist",
            "add-feed",
            "nguon",
            "https://feeds.example.vn/list.txt",
            "--format",
            "plain",
        ],
    )
    assert done.exit_code == 0 and BlocklistSource.objects.filter(name="nguon").exists()
