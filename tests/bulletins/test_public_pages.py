"""The public side of bulletins through HTTP: the list with its search and topics, a
bulletin's permanent page (text, sources, files, dates in Vietnam's time, versions with what
changed, the signature, sharing and previews), share visits, and the signed versions that
anyone can check with /registry.pub."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Bulletin
from chinhthong.reach.models import EventKind, ReachEvent
from chinhthong.registry import signing
from tests.bulletins.public_bulletins import BODY, correct, draft, publish
from tests.portal import pictures
from tests.reach.factories import make_staff, make_tree

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's visible text, tags removed, spaces collapsed."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _titles(response) -> list[str]:
    return [
        html.unescape(t)
        for t in re.findall(
            r'<h2><a href="/ban-tin/[^"]+/">([^<]+)</a></h2>', response.content.decode()
        )
    ]


def _meta(response) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]*>", response.content.decode()):
        key = re.search(r'(?:property|name)="([^"]+)"', tag)
        value = re.search(r'content="([^"]*)"', tag)
        if key and value:
            found.setdefault(key.group(1), html.unescape(value.group(1)))
    return found


def test_the_list_shows_published_bulletins_newest_first(client):
    publish(title="Lịch tiêm chủng tuần này", tags=["y tế"], body_markdown="Tiêm tại phường.")
    publish(title="Cảnh báo lừa đảo qua Zalo")
    services.create_draft(draft(title="Bản nháp chưa đăng"), actor=None)
    page = client.get("/ban-tin/")
    assert page.status_code == 200
    assert _titles(page) == ["Cảnh báo lừa đảo qua Zalo", "Lịch tiêm chủng tuần này"]
    assert "2 bản tin" in _text(page)


def test_search_with_and_without_diacritics_and_by_topic(client):
    publish(title="Cảnh báo lừa đảo qua Zalo")
    publish(title="Giá lúa vụ mùa", tags=["nông nghiệp"], body_markdown="Giá lúa tăng.")
    assert _titles(client.get("/ban-tin/?q=lua+dao")) == ["Cảnh báo lừa đảo qua Zalo"]
    assert _titles(client.get("/ban-tin/?q=lừa+đảo")) == ["Cảnh báo lừa đảo qua Zalo"]
    # Typed without diacritics, a word matches any; typed with them, only as typed.
    assert _titles(client.get("/ban-tin/?q=lua")) == ["Giá lúa vụ mùa", "Cảnh báo lừa đảo qua Zalo"]
    assert _titles(client.get("/ban-tin/?q=lúa")) == ["Giá lúa vụ mùa"]
    # Nothing as typed: the same words with other diacritics, said so.
    loose = client.get("/ban-tin/?q=lựa+đạo")
    assert _titles(loose) == ["Cảnh báo lừa đảo qua Zalo"]
    assert "với dấu khác hoặc không dấu" in _text(loose)
    topic = client.get("/ban-tin/?chu-de=nông+nghiệp")
    assert _titles(topic) == ["Giá lúa vụ mùa"]
    nothing = client.get("/ban-tin/?q=bão+số+3")
    assert _titles(nothing) == [] and "Không có bản tin nào khớp" in _text(nothing)


def test_the_list_and_the_forward_check_follow_publications_and_corrections(client):
    first = publish()
    assert _titles(client.get("/ban-tin/")) == ["Cảnh báo lừa đảo qua Zalo"]
    services.create_draft(draft(title="Bản nháp đang viết"), actor=None)
    second = publish(title="Lịch tiêm chủng tuần này", body_markdown="Tiêm tại phường.")
    correct(first, title="Cảnh báo lừa đảo qua Zalo và Facebook")
    assert _titles(client.get("/ban-tin/")) == [
        "Lịch tiêm chủng tuần này",
        "Cảnh báo lừa đảo qua Zalo và Facebook",
    ]
    assert _titles(client.get("/ban-tin/?q=facebook")) == ["Cảnh báo lừa đảo qua Zalo và Facebook"]
    checked = client.post(
        "/ban-tin/kiem-tra/", {"text": "Canh bao lua dao qua Zalo va Facebook. " + BODY}
    )
    assert f'href="/ban-tin/{first.slug}/"' in checked.content.decode()
    assert "phiên bản 2" in checked.content.decode()
    assert second.slug in client.get("/ban-tin/rss.xml").content.decode()


def test_the_list_is_paginated(client):
    for n in range(21):
        publish(title=f"Bản tin số {n + 1}", body_markdown=f"Nội dung {n + 1}.")
    first, second = client.get("/ban-tin/"), client.get("/ban-tin/?trang=2")
    assert len(_titles(first)) == 20 and _titles(first)[0] == "Bản tin số 21"
    assert _titles(second) == ["Bản tin số 1"]
    assert 'href="?trang=2"' in first.content.decode()
    assert client.get("/ban-tin/?trang=khong-phai-so").status_code == 200


def test_a_bulletins_page_shows_what_it_says_and_when(client, default_registry):
    bulletin = publish(urgency="urgent")
    page = client.get(f"/ban-tin/{bulletin.slug}/")
    text = _text(page)
    assert page.status_code == 200
    assert "Cảnh báo lừa đảo qua Zalo" in text and "Khẩn" in text
    assert "Không bấm vào đường link lạ, không cung cấp mã OTP." in text  # the summary
    assert "<strong>không bấm</strong>" in page.content.decode()  # the body's HTML
    assert '<a href="https://congan.quangninh.gov.vn/"' in page.content.decode()  # a source
    assert "lừa đảo" in text and "an toàn thông tin" in text  # topics
    local = timezone.localtime(bulletin.published_at, timezone.get_default_timezone())
    assert local.utcoffset().total_seconds() == 7 * 3600
    assert f"Đăng {local:%d/%m/%Y %H:%M} (giờ Việt Nam)" in text
    key = bulletin.latest_version.key_id
    assert f"Ed25519, khóa {key}" in text
    assert f'href="/ban-tin/{bulletin.slug}/v1.json"' in page.content.decode()
    assert f'href="/ban-tin/{bulletin.slug}/cap.xml"' in page.content.decode()


def test_a_correction_shows_each_version_and_what_changed(client):
    bulletin = publish()
    old_body = bulletin.latest_version.body_markdown
    correct(
        bulletin,
        body_markdown=old_body.replace("gọi 113", "gọi 0203.3835.444"),
        change_note="Sửa số điện thoại",
        sources=[{"title": "Bộ Công an", "url": "https://bocongan.gov.vn/"}],
    )
    page = client.get(f"/ban-tin/{bulletin.slug}/")
    body, text = page.content.decode(), _text(page)
    assert "Phiên bản 2" in text and "Phiên bản 1" in text and "(hiện hành)" in text
    assert "Sửa số điện thoại" in text
    assert "<del>113.</del>" in body and "<ins>0203.3835.444.</ins>" in body
    assert "<ins>Bộ Công an</ins>" in body and "<del>Công an tỉnh Quảng Ninh</del>" in body
    assert "0203.3835.444" in text and "Đính chính" in text
    assert f'href="/ban-tin/{bulletin.slug}/v2.json.sig"' in body


def test_attachments_are_listed_and_served(client):
    bulletin = services.create_draft(draft(), actor=None)
    attachments.add_attachment(bulletin, name="ban-do.png", data=pictures.png(), actor=None)
    services.publish(bulletin, actor=None)
    page = client.get(f"/ban-tin/{bulletin.slug}/")
    link = re.search(
        r'<a href="(/ban-tin/tep/\d+/ban-do\.png)">ban-do\.png</a>', page.content.decode()
    )
    assert link, "the attachment is listed"
    served = client.get(link.group(1))
    assert served.status_code == 200 and bytes(served.content) == pictures.png()


@pytest.mark.parametrize("state", ["draft", "scheduled", "cancelled"])
def test_only_published_bulletins_are_public(client, state):
    bulletin = services.create_draft(draft(urgency="urgent"), actor=None)
    if state == "scheduled":
        services.schedule(bulletin, timezone.now() + timezone.timedelta(days=1), actor=None)
    elif state == "cancelled":
        services.cancel(bulletin, actor=None)
    for path in ("", "v1.json", "v1.json.sig", "cap.xml", "v1.cap.xml", "?s=abc"):
        assert client.get(f"/ban-tin/{bulletin.slug}/{path}").status_code == 404, path
    assert _titles(client.get("/ban-tin/")) == []
    for feed in ("rss.xml", "atom.xml", "cap.xml"):
        assert bulletin.slug not in client.get(f"/ban-tin/{feed}").content.decode()


def test_a_visit_through_a_share_is_counted_then_sent_to_the_clean_address(client):
    bulletin = publish()
    staff = make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")
    response = client.get(f"/ban-tin/{bulletin.slug}/?s={staff.share_code}")
    assert response.status_code == 302
    assert response["Location"] == f"/ban-tin/{bulletin.slug}/"
    assert response["Cache-Control"] == "no-store"
    visits = ReachEvent.objects.filter(kind=EventKind.SHARE_VISIT, bulletin=bulletin)
    assert [(v.staff_id, v.unit_id) for v in visits] == [(staff.pk, staff.unit_id)]
    # A link preview's fetch, a HEAD and an unknown code bring no visit, and are sent on alike.
    preview = client.get(
        f"/ban-tin/{bulletin.slug}/?s={staff.share_code}",
        HTTP_USER_AGENT="facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    )
    head = client.head(f"/ban-tin/{bulletin.slug}/?s={staff.share_code}")
    unknown = client.get(f"/ban-tin/{bulletin.slug}/?s=khong-co-ma-nay")
    assert [r.status_code for r in (preview, head, unknown)] == [302, 302, 302]
    assert visits.count() == 1
    # The page itself records nothing about whoever reads it.
    before = ReachEvent.objects.count()
    assert client.get(f"/ban-tin/{bulletin.slug}/").status_code == 200
    assert ReachEvent.objects.count() == before


def test_share_buttons_and_previews_name_the_clean_address(client):
    bulletin = publish()
    page = client.get(f"/ban-tin/{bulletin.slug}/")
    url = f"{settings.PUBLIC_URL}/ban-tin/{bulletin.slug}/"
    meta = _meta(page)
    assert meta["og:url"] == url and meta["og:type"] == "article"
    assert meta["og:title"] == "Cảnh báo lừa đảo qua Zalo"
    assert meta["og:description"] == "Không bấm vào đường link lạ, không cung cấp mã OTP."
    assert meta["article:tag"] == "lừa đảo"
    body = html.unescape(page.content.decode())
    facebook = re.search(r'href="(https://www\.facebook\.com/sharer/sharer\.php\?[^"]+)"', body)
    assert parse_qs(urlsplit(facebook.group(1)).query)["u"] == [url]
    assert "button-share.zalo.me" in body and 'data-copy-from="share-url"' in body
    assert f'<input id="share-url" type="text" readonly value="{url}">' in body
    assert "<script>" not in body  # no inline script (the Content-Security-Policy allows none)


def test_each_signed_version_verifies_with_the_registry_key(client, default_registry):
    bulletin = publish()
    correct(bulletin, title="Cảnh báo lừa đảo qua Zalo và Facebook")
    public_key = client.get("/registry.pub").content
    for number, title in (
        (1, "Cảnh báo lừa đảo qua Zalo"),
        (2, "Cảnh báo lừa đảo qua Zalo và Facebook"),
    ):
        body = client.get(f"/ban-tin/{bulletin.slug}/v{number}.json")
        signature = client.get(f"/ban-tin/{bulletin.slug}/v{number}.json.sig")
        assert body["Content-Type"] == "application/json; charset=utf-8"
        assert signing.verify(public_key, body.content, signature.content)
        assert body.json()["title"] == title and body.json()["version"] == number
        assert body["X-Signature-Key-Id"] == signing.key_id(
            signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE)
        )
        assert not signing.verify(
            public_key, body.content.replace(b"Zalo", b"Zal0"), signature.content
        )
    assert client.get(f"/ban-tin/{bulletin.slug}/v3.json").status_code == 404


def test_the_header_links_to_the_bulletins(client, db):
    page = client.get("/").content.decode()
    assert '<a href="/ban-tin/">Bản tin</a>' in page
    listing = client.get("/ban-tin/").content.decode()
    assert '<a href="/ban-tin/" aria-current="page">Bản tin</a>' in listing


def test_feeds_are_announced_to_browsers_and_readers(client):
    bulletin = publish()
    for path in ("/ban-tin/", f"/ban-tin/{bulletin.slug}/"):
        page = client.get(path).content.decode()
        assert 'type="application/rss+xml"' in page and 'href="/ban-tin/rss.xml"' in page
        assert 'type="application/atom+xml"' in page and 'href="/ban-tin/atom.xml"' in page


def test_a_slug_that_never_existed_is_not_found(client, db):
    assert client.get("/ban-tin/khong-co-ban-tin-nay/").status_code == 404
    assert Bulletin.objects.count() == 0
