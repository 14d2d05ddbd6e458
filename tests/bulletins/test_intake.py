"""Feed intake through the services every edge calls: official channels' RSS, Atom and pages
polled from a real HTTP server on loopback into the review queue; conditional requests; the
same item from two feeds is one; failing feeds back off alone; approval makes a draft."""

import datetime as dt

import pytest
from django.utils import timezone

from chinhthong.bulletins import intake
from chinhthong.bulletins.intake_parsing import item_key
from chinhthong.bulletins.intake_tasks import poll_due_feeds
from chinhthong.bulletins.models import FeedItem, FeedSource, ItemStatus, Status
from chinhthong.config.refusals import Refused
from chinhthong.registry.models import Channel
from tests.bulletins.intake_helpers import (
    CONGCHUC,
    ELSEWHERE,
    TINHUY,
    IntakeEnv,
    atom,
    conditional,
    rss,
)

pytestmark = pytest.mark.django_db
MODIFIED = "Tue, 01 Jul 2025 08:00:00 GMT"
ARTICLE = f"https://{CONGCHUC}/tin-tuc/canh-bao-lua-dao-qua-zalo"


@pytest.fixture
def env(db, monkeypatch, settings):
    with IntakeEnv(monkeypatch, settings) as running:
        yield running


def _items() -> list[tuple[str, str]]:
    return list(FeedItem.objects.order_by("title").values_list("title", "status"))


def test_an_rss_feed_polled_twice_brings_its_items_once(env):
    body = rss(
        ("Cảnh báo lừa đảo qua Zalo", ARTICLE, "Không bấm vào &lt;b&gt;link&lt;/b&gt; lạ."),
        ("Lịch tiếp công dân", f"https://{CONGCHUC}/tin-tuc/lich-tiep", "Tháng 7."),
    )
    env.server.route(
        "/rss.xml",
        handler=conditional(
            body, etag='"v1"', last_modified=MODIFIED, content_type="application/rss+xml"
        ),
    )
    source = env.source("/rss.xml", every_minutes=30)
    before = timezone.now()
    first = intake.poll(source)
    assert (first.new, first.seen, first.error) == (2, 0, "")
    item = FeedItem.objects.get(title="Cảnh báo lừa đảo qua Zalo")
    assert item.summary == "Không bấm vào link lạ."  # no HTML left
    assert item.link == ARTICLE and item.status == ItemStatus.PENDING
    assert item.published == dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert list(item.sources.all()) == [source]
    source.refresh_from_db()
    assert (source.etag, source.last_modified, source.failures) == ('"v1"', MODIFIED, 0)
    assert source.next_poll_at - before >= dt.timedelta(minutes=30)

    second = intake.poll(source)
    assert second.not_modified and second.new == 0
    assert env.server.requests[-1].headers["if-none-match"] == '"v1"'
    assert env.server.requests[-1].headers["if-modified-since"] == MODIFIED
    assert FeedItem.objects.count() == 2


def test_an_atom_feed_and_a_page(env):
    env.server.route(
        "/atom.xml",
        body=atom(("Hội nghị Tỉnh ủy", f"https://{TINHUY}/tin/hoi-nghi", "Khai mạc sáng nay.")),
        headers={"Content-Type": "application/atom+xml"},
    )
    page = (
        "<html><head><title>Thông báo | Cổng</title>"
        '<meta name="description" content="Nghỉ lễ Quốc khánh 2/9 từ ngày 30/8.">'
        '<link rel="canonical" href="/thong-bao/nghi-le?utm_source=zalo"></head>'
        "<body><h1>Khác</h1><script>alert(1)</script></body></html>"
    ).encode()
    env.server.route("/thong-bao", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    intake.poll(env.source("/atom.xml", host=TINHUY, channel="web-tinhuy"))
    intake.poll(env.source("/thong-bao", kind="page"))
    atom_item = FeedItem.objects.get(title="Hội nghị Tỉnh ủy")
    assert (atom_item.summary, atom_item.link) == (
        "Khai mạc sáng nay.",
        f"https://{TINHUY}/tin/hoi-nghi",
    )
    page_item = FeedItem.objects.get(title="Thông báo | Cổng")
    assert page_item.summary == "Nghỉ lễ Quốc khánh 2/9 từ ngày 30/8."
    assert page_item.link == env.url("/thong-bao/nghi-le?utm_source=zalo")
    assert page_item.key == f"link:{CONGCHUC}:{env.server.port}/thong-bao/nghi-le"


def test_the_same_item_from_two_feeds_is_one_item_with_two_sources(env):
    env.server.route(
        "/rss.xml", body=rss(("Cảnh báo lừa đảo", f"{ARTICLE}/?utm_source=rss&fbclid=x", "A"))
    )
    upper = ARTICLE.replace(CONGCHUC, CONGCHUC.upper()).replace("https:", "http:")
    env.server.route("/atom.xml", body=atom(("Cảnh báo lừa đảo!", upper, "Khác chữ")))
    first = env.source("/rss.xml")
    second = env.source("/atom.xml", host=TINHUY, channel="web-tinhuy")
    assert intake.poll(first).new == 1
    result = intake.poll(second)
    assert (result.new, result.seen) == (0, 1)
    item = FeedItem.objects.get()
    assert set(item.sources.all()) == {first, second}
    assert item.title == "Cảnh báo lừa đảo"  # as first seen


def test_keys_ignore_tracking_case_scheme_and_trailing_slash():
    same = [
        "https://quangninh.gov.vn/tin/A-B?id=7&utm_medium=zalo",
        "http://www.QuangNinh.gov.vn/tin/a-b/?fbclid=IwAR&id=7",
        "https://quangninh.gov.vn/tin/a-b?zarsrc=30&id=7&gclid=1#top",
    ]
    assert len({item_key(link, "", "") for link in same}) == 1
    assert item_key("https://quangninh.gov.vn/tin/a-b?id=8", "", "") != item_key(same[0], "", "")
    # Without a link: the title and text, with case and spacing ignored.
    assert item_key("", "Tin  Mới", "Nội dung") == item_key("", "tin mới", "nội   dung")
    assert item_key("", "Tin mới", "Nội dung") != item_key("", "Tin mới", "Nội dung khác")
    long_link = "https://quangninh.gov.vn/" + "a" * 400
    assert item_key(long_link, "", "").startswith("link-sha256:")


def test_a_failing_feed_backs_off_and_one_broken_feed_never_stops_the_others(env):
    env.server.route("/loi", status=500, body=b"loi")
    env.server.route("/tot", body=rss(("Tin tốt", f"https://{CONGCHUC}/tin/tot", "ok")))
    broken = env.source("/loi", every_minutes=30)
    gone = intake.add_source(
        channel_slug="web-congchuc", url=f"https://khong-co.{CONGCHUC}/rss", actor=None
    )
    good = env.source("/tot")
    outcome = poll_due_feeds.enqueue().return_value
    assert outcome[good.url] == "1 mới, 0 đã có"
    assert "HTTP 500" in outcome[broken.url]
    gone.refresh_from_db()
    assert gone.last_error == f"Máy chủ khong-co.{CONGCHUC} không phân giải được."
    assert _items() == [("Tin tốt", ItemStatus.PENDING)]

    waits = []
    now = timezone.now()
    for _ in range(4):
        broken.refresh_from_db()
        now = broken.next_poll_at
        waits.append(broken.next_poll_at - broken.last_polled_at)
        intake.poll_due(now)
    broken.refresh_from_db()
    assert broken.failures == 5 and broken.last_error.startswith("Máy chủ trả lời HTTP 500")
    assert waits == [dt.timedelta(minutes=m) for m in (60, 120, 240, 480)]
    assert intake.backoff(30, 12) == dt.timedelta(days=1)  # at most a day

    env.server.route("/loi", body=rss(("Đã sửa", f"https://{CONGCHUC}/tin/sua", "ok")))
    intake.poll_due(broken.next_poll_at)
    broken.refresh_from_db()
    assert (broken.failures, broken.last_error) == (0, "")
    assert broken.next_poll_at - broken.last_polled_at == dt.timedelta(minutes=30)


def test_retry_after_is_honoured(env):
    env.server.route("/ban", status=429, headers={"Retry-After": "7200"})
    source = env.source("/ban", every_minutes=10)
    result = intake.poll(source)
    source.refresh_from_db()
    assert "7200" in result.error
    assert source.next_poll_at - source.last_polled_at == dt.timedelta(hours=2)


def test_only_due_sources_of_active_channels_are_polled(env):
    env.server.route("/rss.xml", body=rss(("Tin", f"https://{CONGCHUC}/tin/1", "ok")))
    source = env.source("/rss.xml")
    intake.poll_due()
    assert intake.poll_due() == []  # polled just now, due in 30 minutes
    later = timezone.now() + dt.timedelta(minutes=31)
    assert [s.pk for s in intake.due_sources(later)] == [source.pk]
    Channel.objects.filter(slug="web-congchuc").update(status="retired")
    assert list(intake.due_sources(later)) == []
    Channel.objects.filter(slug="web-congchuc").update(status="active")
    FeedSource.objects.filter(pk=source.pk).update(enabled=False)
    assert list(intake.due_sources(later)) == []
    assert len(env.server.requests) == 1


@pytest.mark.parametrize(
    ("channel", "url", "code"),
    [
        ("web-congchuc", f"https://{ELSEWHERE}/rss", "not_channel_domain"),
        ("web-congchuc", f"https://{CONGCHUC}.{ELSEWHERE}/rss", "not_channel_domain"),
        ("web-congchuc", f"https://gia{CONGCHUC}/rss", "not_channel_domain"),
        ("web-congchuc", "ftp://congchuc.quangninh.invalid/rss", "invalid_url"),
        ("web-cho-duyet", "https://cho.quangninh.invalid/rss", "channel_not_active"),
        ("fb-thu", "https://facebook.com/trangthu.quangninh", "channel_not_website"),
        ("khong-co", f"https://{CONGCHUC}/rss", "no_channel"),
    ],
)
def test_a_feed_belongs_to_an_official_channel_and_its_domain(env, channel, url, code):
    with pytest.raises(Refused) as refused:
        intake.add_source(channel_slug=channel, url=url, actor=None)
    assert refused.value.code == code
    assert not FeedSource.objects.exists()


def test_a_name_under_the_channels_domain_is_its_own(env):
    source = intake.add_source(
        channel_slug="web-congchuc", url=f"https://RSS.{CONGCHUC}/tin.xml", actor=None
    )
    assert source.url == f"https://rss.{CONGCHUC}/tin.xml"
    with pytest.raises(Refused) as refused:
        intake.add_source(channel_slug="web-congchuc", url=source.url, actor=None)
    assert refused.value.code == "invalid"  # one source per address
    with pytest.raises(Refused) as refused:
        env.source("/rss", every_minutes=2)
    assert refused.value.code == "every_out_of_range"


def test_approval_makes_a_draft_citing_the_source_and_nothing_is_published(env, editor):
    env.server.route(
        "/rss.xml", body=rss(("Cảnh báo [khẩn] *lừa đảo*", ARTICLE, "Không bấm link lạ."))
    )
    intake.poll(env.source("/rss.xml"))
    item = FeedItem.objects.get()
    bulletin = intake.approve(item, actor=editor)
    item.refresh_from_db()
    assert (item.status, item.reviewed_by, item.bulletin) == (ItemStatus.APPROVED, editor, bulletin)
    assert item.reviewed_at is not None
    assert bulletin.status == Status.DRAFT and bulletin.published_at is None
    version = bulletin.latest_version
    assert version.title == "Cảnh báo [khẩn] *lừa đảo*" and version.summary == "Không bấm link lạ."
    assert version.sources == [{"title": "Cổng thông tin công chức", "url": ARTICLE}]
    assert f'<a href="{ARTICLE}"' in version.body_html
    assert "Nguồn:" in version.body_html
    with pytest.raises(Refused) as refused:
        intake.approve(item, actor=editor)
    assert refused.value.code == "already_reviewed"


def test_rejection_records_who_and_when(env, editor):
    env.server.route("/rss.xml", body=rss(("Tin quảng cáo", f"https://{CONGCHUC}/qc", "Mua")))
    intake.poll(env.source("/rss.xml"))
    item = intake.reject(FeedItem.objects.get(), actor=editor)
    assert (item.status, item.reviewed_by, item.bulletin) == (ItemStatus.REJECTED, editor, None)
    with pytest.raises(Refused):
        intake.approve(item, actor=editor)


def test_the_queue_puts_waiting_items_first_oldest_first(env, editor):
    env.server.route("/a", body=rss(("Tin A", f"https://{CONGCHUC}/a", "a")))
    env.server.route("/b", body=rss(("Tin B", f"https://{CONGCHUC}/b", "b")))
    env.server.route("/c", body=rss(("Tin C", f"https://{CONGCHUC}/c", "c")))
    for path in ("/a", "/b", "/c"):
        intake.poll(env.source(path))
    intake.reject(FeedItem.objects.get(title="Tin A"), actor=editor)
    assert [i.title for i in intake.queue()] == ["Tin B", "Tin C", "Tin A"]
