"""Hostile feeds: script and invisible characters in titles, a feed past the size cap, XML
entity bombs and external entities, redirects into the local network or off the channel's
domain, things that are not feeds. Each is taken in clean or refused, never a crash, and a
refusal is recorded as the feed's error with nothing stored."""

import pytest

from chinhthong.bulletins import intake, intake_parsing
from chinhthong.bulletins.models import FeedItem, FeedSource
from tests.bulletins.intake_helpers import CONGCHUC, ELSEWHERE, IntakeEnv, rss
from tests.loopback_http import LoopbackHTTP

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://congchuc.quangninh.invalid/a</link></item>
</channel></rss>"""
# One large entity used many times: no nesting, yet gigabytes once expanded (feedparser's
# fallback parser keeps such "safe" entities and expands every use).
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "'
    + b"A" * 100_000
    + b'">]><rss version="2.0"><channel><item><title>'
    + b"&a;" * 200_000
    + b"</title></item></channel></rss>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><item><title>&xxe;</title></item></channel></rss>'
)
ENTITIES = "Nguồn tin khai báo thực thể XML, điều mà nguồn tin không cần đến; không đọc nguồn này."


@pytest.fixture
def env(db, monkeypatch, settings):
    with IntakeEnv(monkeypatch, settings) as running:
        yield running


def _refused(env, path: str, **route) -> FeedSource:
    env.server.route(path, **route)
    source = env.source(path)
    result = intake.poll(source)
    source.refresh_from_db()
    assert result.error and source.last_error == result.error
    assert source.failures == 1 and source.next_poll_at > source.last_polled_at
    assert not FeedItem.objects.exists()
    return source


def test_script_markup_and_invisible_characters_are_taken_out(env):
    title = "&lt;script&gt;alert(1)&lt;/script&gt;Tin \u202ekhẩn\u200b &lt;b&gt;mới&lt;/b&gt;"
    summary = (
        "<![CDATA[<p onclick='x()'>Đoạn <img src=x onerror=alert(1)>một</p><style>p{}</style>]]>"
    )
    long_title = "Rất dài " * 200
    env.server.route(
        "/rss.xml",
        body=rss(
            (title, f"https://{CONGCHUC}/tin/1", summary),
            (long_title, "javascript:alert(document.cookie)", "Tóm tắt"),
        ),
    )
    result = intake.poll(env.source("/rss.xml"))
    assert result.new == 2
    first = FeedItem.objects.get(link=f"https://{CONGCHUC}/tin/1")
    assert (first.title, first.summary) == ("Tin khẩn mới", "Đoạn một")
    second = FeedItem.objects.exclude(pk=first.pk).get()
    assert len(second.title) <= intake_parsing.TITLE_MAX and second.title.endswith("dài…")
    assert second.link == ""  # not an http(s) link
    assert second.key.startswith("text-sha256:")


def test_a_feed_past_the_size_cap_is_refused(env):
    huge = rss(*[(f"Tin {n}", f"https://{CONGCHUC}/tin/{n}", "x" * 1000) for n in range(6000)])
    assert len(huge) > intake.MAX_BYTES
    source = _refused(env, "/lon.xml", body=huge)
    assert source.last_error == (f"Câu trả lời từ {env.url('/lon.xml')} lớn hơn 5,242,880 byte.")


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, QUADRATIC, EXTERNAL], ids=["billion-laughs", "quadratic", "external"]
)
def test_feeds_declaring_entities_are_not_read(env, body):
    source = _refused(env, "/bom.xml", body=body)
    assert source.last_error == ENTITIES


def test_entities_are_refused_before_any_parser_sees_them():
    with pytest.raises(intake_parsing.ParseError):
        intake_parsing.parse_feed(BILLION_LAUGHS, url=f"https://{CONGCHUC}/rss")
    # Markup about entities in an entry's text (escaped) is text, not a declaration.
    escaped = rss(("Bài về thực thể", f"https://{CONGCHUC}/a", "Viết &lt;!ENTITY a 'b'&gt;"))
    [entry] = intake_parsing.parse_feed(escaped, url=f"https://{CONGCHUC}/rss")
    assert entry.title == "Bài về thực thể"


def test_a_redirect_to_the_metadata_service_is_refused(env):
    source = _refused(
        env, "/rss.xml", status=302, headers={"Location": "http://169.254.169.254/latest/"}
    )
    assert "169.254.169.254" in source.last_error


def test_a_redirect_to_loopback_is_refused_when_only_the_mirror_is_allowed(env, settings):
    """The channel's host is a mirror the operator allowed (127.0.0.2); its redirect to
    127.0.0.1 is not followed, and the server there is never asked."""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    env.dns.add(CONGCHUC, ["127.0.0.2"])
    env.server.route("/noi-bo", body=rss(("Bí mật", f"https://{CONGCHUC}/x", "x")))
    with LoopbackHTTP(host="127.0.0.2") as mirror:
        inside = env.server.url("/noi-bo")
        mirror.route("/rss.xml", status=301, headers={"Location": inside})
        source = intake.add_source(
            channel_slug="web-congchuc", url=mirror.url("/rss.xml", host=CONGCHUC), actor=None
        )
        result = intake.poll(source)
    assert result.error == (
        "Máy chủ 127.0.0.1 là địa chỉ riêng hoặc nội bộ (127.0.0.1); không tải gì từ đó."
    )
    assert env.server.requests == [] and not FeedItem.objects.exists()


def test_a_redirect_off_the_channels_domain_is_refused(env):
    env.server.route("/khac.xml", body=rss(("Tin giả", f"https://{ELSEWHERE}/a", "x")))
    source = _refused(
        env, "/rss.xml", status=302, headers={"Location": env.url("/khac.xml", host=ELSEWHERE)}
    )
    assert source.last_error == (
        f"Địa chỉ chuyển hướng tới {ELSEWHERE}, ra ngoài tên miền {CONGCHUC} của kênh."
    )


@pytest.mark.parametrize(
    "body",
    [b"", b"/etc/passwd", b"<html><body>Trang chu</body></html>", b"\xff\xfe\x00<", b"<rss"],
    ids=["empty", "a-file-name", "html", "binary", "cut"],
)
def test_what_is_not_a_feed_is_an_error_and_no_file_is_read(env, body):
    source = _refused(env, "/rss.xml", body=body)
    assert source.last_error.startswith("Đây không phải nguồn tin RSS hay Atom")


def test_a_feed_of_many_entries_brings_the_first_hundred(env):
    many = rss(*[(f"Tin {n}", f"https://{CONGCHUC}/tin/{n}", "") for n in range(150)])
    env.server.route("/rss.xml", body=many)
    assert intake.poll(env.source("/rss.xml")).new == intake_parsing.MAX_ENTRIES


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"<html><head></head><body></body></html>",
        b"<title>" + "Trang không khai báo bảng mã".encode() + b"</title>",
        b"<div>" * 50_000,
    ],
    ids=["empty", "nothing", "no-charset", "deep"],
)
def test_hostile_pages(env, page):
    env.server.route("/trang", body=page, headers={"Content-Type": "text/html"})
    source = env.source("/trang", kind="page")
    result = intake.poll(source)
    if page.startswith(b"<title>"):
        assert FeedItem.objects.get().title == "Trang không khai báo bảng mã"
    else:
        assert result.error and not FeedItem.objects.exists()


def test_an_external_dtd_is_never_fetched(env):
    """RSS 0.91 names a DTD by address; the parser reads the feed without asking for it."""
    env.server.route("/dtd", body=b'<!ENTITY lol "lol">')
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{env.url("/dtd")}">'
        f'<rss version="0.91"><channel><title>T</title><link>https://{CONGCHUC}/</link>'
        f"<item><title>Tin cũ</title><link>https://{CONGCHUC}/cu</link></item>"
        "</channel></rss>"
    ).encode()
    env.server.route("/rss.xml", body=feed)
    assert intake.poll(env.source("/rss.xml")).new == 1
    assert "/dtd" not in env.server.paths()


def test_encoded_control_characters_in_links_are_stored_safely(env):
    """PostgreSQL refuses NUL in text: a link's %00 must not reach the item's key."""
    env.server.route("/rss.xml", body=rss(("Tin lạ", f"https://{CONGCHUC}/tin/a%00b%1b", "x")))
    assert intake.poll(env.source("/rss.xml")).new == 1
    item = FeedItem.objects.get()
    assert item.key == f"link:{CONGCHUC}/tin/ab"
    assert item.link == f"https://{CONGCHUC}/tin/a%00b%1b"
