"""The staff portal as a staff member uses it: their bulletins and no one else's, today's access
counted once, "Mark as read", a significant correction asking again, sharing with their code."""

import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chinhthong.bulletins import services as bulletins
from chinhthong.reach import events
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.conftest import PASSWORD
from tests.reach.factories import make_staff, make_tree, make_user, publish_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_tree()
    return {
        "tree": tree,
        "an": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "binh": make_staff(tree["HL-BC"], "Trần Thị Bình"),
        "everyone": publish_bulletin("Cảnh báo lừa đảo toàn tỉnh"),
        "city": publish_bulletin("Lịch cắt điện Cẩm Phả", units=[tree["CP"]]),
        "ward": publish_bulletin("Họp tổ dân phố Cẩm Tây", units=[tree["CP-CT"]]),
        "elsewhere": publish_bulletin("Thông báo riêng Hạ Long", units=[tree["HL"]]),
        "sister_ward": publish_bulletin("Thông báo phường Cẩm Phú", units=[tree["CP-CP"]]),
    }


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="bulletin-title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def test_staff_see_the_bulletins_for_their_unit_and_the_units_above_it(world):
    an = _client(world["an"]).get("/cong-chuc/")
    assert an.status_code == 200
    assert sorted(_titles(an)) == sorted(
        ["Cảnh báo lừa đảo toàn tỉnh", "Lịch cắt điện Cẩm Phả", "Họp tổ dân phố Cẩm Tây"]
    )
    binh = _client(world["binh"]).get("/cong-chuc/")
    assert sorted(_titles(binh)) == ["Cảnh báo lừa đảo toàn tỉnh", "Thông báo riêng Hạ Long"]


def test_a_bulletin_for_another_unit_is_not_found_and_nothing_is_recorded(world):
    client = _client(world["an"])
    slug = world["elsewhere"].slug
    assert client.get(f"/cong-chuc/ban-tin/{slug}/").status_code == 404
    assert client.post(f"/cong-chuc/ban-tin/{slug}/da-doc/").status_code == 404
    assert client.post(f"/cong-chuc/ban-tin/{slug}/chia-se/", {"via": "zalo"}).status_code == 404
    assert client.get("/cong-chuc/ban-tin/khong-co/").status_code == 404
    assert not ReachEvent.objects.filter(bulletin=world["elsewhere"]).exists()


def test_a_draft_is_not_in_the_portal(world):
    draft = bulletins.create_draft(
        bulletins.Draft(title="Bản nháp chưa đăng", body_markdown="Chưa đăng."), actor=None
    )
    client = _client(world["an"])
    assert "Bản nháp chưa đăng" not in _titles(client.get("/cong-chuc/"))
    assert client.get(f"/cong-chuc/ban-tin/{draft.slug}/").status_code == 404


def test_urgent_bulletins_come_first(world):
    publish_bulletin("Khẩn: bão số 3", urgent=True)
    titles = _titles(_client(world["an"]).get("/cong-chuc/"))
    assert titles[0] == "Khẩn: bão số 3"


def test_opening_the_portal_counts_the_day_once(world):
    client = _client(world["an"])
    for _ in range(3):
        assert client.get("/cong-chuc/").status_code == 200
    accesses = ReachEvent.objects.filter(staff=world["an"], kind=EventKind.ACCESS)
    assert list(accesses.values_list("day", flat=True)) == [timezone.localdate()]
    assert not ReachEvent.objects.filter(staff=world["binh"]).exists()


def test_opening_a_bulletin_counts_as_reading_it(world):
    client = _client(world["an"])
    page = client.get(f"/cong-chuc/ban-tin/{world['city'].slug}/")
    assert page.status_code == 200
    assert "Lịch cắt điện Cẩm Phả" in page.content.decode()
    assert "<strong>đường link</strong>" in page.content.decode()
    assert "Đã ghi nhận: bạn đã đọc bản tin này" in page.content.decode()
    read = ReachEvent.objects.get(staff=world["an"], kind=EventKind.READ)
    assert (read.bulletin, read.version, read.via) == (world["city"], 1, Via.PORTAL)
    assert read.unit == world["tree"]["CP-CT"]
    assert "Lịch cắt điện Cẩm Phả" not in _titles(client.get("/cong-chuc/chua-doc/"))


def test_mark_as_read_from_the_list(world):
    client = _client(world["an"])
    home = client.get("/cong-chuc/").content.decode()
    assert home.count('class="mark-read"') == 3
    answer = client.post(
        f"/cong-chuc/ban-tin/{world['ward'].slug}/da-doc/", {"next": "/cong-chuc/chua-doc/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/cong-chuc/chua-doc/"
    read = ReachEvent.objects.get(staff=world["an"], kind=EventKind.READ)
    assert (read.bulletin, read.via) == (world["ward"], Via.BUTTON)
    unread = client.get("/cong-chuc/chua-doc/")
    assert "Đã ghi nhận: bạn đã đọc bản tin này." in unread.content.decode()
    assert "Họp tổ dân phố Cẩm Tây" not in _titles(unread)
    # A second press records nothing more; an address elsewhere is not followed.
    again = client.post(
        f"/cong-chuc/ban-tin/{world['ward'].slug}/da-doc/", {"next": "https://lua-dao.example/"}
    )
    assert again["Location"] == "/cong-chuc/"
    assert ReachEvent.objects.filter(staff=world["an"], kind=EventKind.READ).count() == 1


def test_a_significant_correction_asks_to_read_again(world):
    client = _client(world["an"])
    bulletin = world["everyone"]
    client.get(f"/cong-chuc/ban-tin/{bulletin.slug}/")
    assert "Cảnh báo lừa đảo toàn tỉnh" not in _titles(client.get("/cong-chuc/chua-doc/"))

    draft = bulletins.Draft(title="Cảnh báo lừa đảo toàn tỉnh", body_markdown="Sửa số điện thoại.")
    bulletins.correct(bulletin, draft, actor=None, significant=False, change_note="Sửa chữ")
    assert "Cảnh báo lừa đảo toàn tỉnh" not in _titles(client.get("/cong-chuc/chua-doc/"))

    bulletins.correct(
        bulletin, draft, actor=None, significant=True, change_note="Đổi số đường dây nóng"
    )
    unread = client.get("/cong-chuc/chua-doc/").content.decode()
    assert "Đã đính chính: cần đọc lại" in unread
    page = client.get(f"/cong-chuc/ban-tin/{bulletin.slug}/").content.decode()
    assert "Đổi số đường dây nóng" in page and "Sửa số điện thoại." in page
    versions = ReachEvent.objects.filter(staff=world["an"], kind=EventKind.READ)
    assert sorted(versions.values_list("version", flat=True)) == [1, 3]
    bulletin.refresh_from_db()
    assert events.has_read(world["an"], bulletin)


def _share(client, slug, via, **headers):
    return client.post(f"/cong-chuc/ban-tin/{slug}/chia-se/", {"via": via}, **headers)


def test_sharing_on_facebook_carries_the_persons_share_code(world):
    an = world["an"]
    answer = _share(_client(an), world["city"].slug, "facebook")
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert (target.scheme, target.netloc, target.path) == (
        "https",
        "www.facebook.com",
        "/sharer/sharer.php",
    )
    shared = parse_qs(target.query)["u"][0]
    assert shared == f"{settings.PUBLIC_URL}/ban-tin/{world['city'].slug}/?s={an.share_code}"
    event = ReachEvent.objects.get(staff=an, kind=EventKind.SHARED)
    assert (event.bulletin, event.via) == (world["city"], Via.FACEBOOK)


def test_sharing_on_zalo_carries_the_persons_share_code(world):
    an = world["an"]
    answer = _share(_client(an), world["everyone"].slug, "zalo")
    target = urlsplit(answer["Location"])
    assert target.netloc == "button-share.zalo.me"
    payload = json.loads(base64.b64decode(parse_qs(target.query)["d"][0]))
    assert payload["url"].endswith(f"/ban-tin/{world['everyone'].slug}/?s={an.share_code}")
    assert ReachEvent.objects.get(staff=an, kind=EventKind.SHARED).via == Via.ZALO


def test_copying_the_link_is_recorded_with_or_without_script(world):
    an, slug = world["an"], world["everyone"].slug
    client = _client(an)
    by_script = _share(client, slug, "copy", HTTP_ACCEPT="application/json")
    assert by_script.status_code == 200
    assert by_script.json() == {
        "recorded": True,
        "url": f"{settings.PUBLIC_URL}/ban-tin/{slug}/?s={an.share_code}",
    }
    by_form = _share(client, slug, "copy")
    assert by_form.status_code == 302
    assert by_form["Location"] == f"/cong-chuc/ban-tin/{slug}/#chia-se"
    # Both recorded the copy; copying again the same day is the same share.
    shares = ReachEvent.objects.filter(staff=an, kind=EventKind.SHARED)
    assert list(shares.values_list("via", flat=True)) == [Via.COPY_LINK]


def test_the_bulletin_page_offers_the_persons_own_share_link(world):
    an = world["an"]
    page = _client(an).get(f"/cong-chuc/ban-tin/{world['city'].slug}/")
    html = page.content.decode()
    assert f'value="{settings.PUBLIC_URL}/ban-tin/{world["city"].slug}/?s={an.share_code}"' in html
    # The share forms' answers go to Facebook and Zalo: the page's policy lets them.
    policy = page["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action"))
    assert "https://www.facebook.com" in form_action
    assert "https://button-share.zalo.me" in form_action
    assert "script-src 'self'" in policy


@pytest.mark.parametrize("via", ["", "twitter", "x" * 5000])
def test_a_share_to_nowhere_is_refused_and_not_recorded(world, via):
    answer = _share(_client(world["an"]), world["city"].slug, via)
    assert answer.status_code == 400
    assert "Facebook, Zalo" in answer.content.decode()
    assert not ReachEvent.objects.filter(kind=EventKind.SHARED).exists()


def test_anonymous_visitors_are_asked_to_log_in_and_come_back(world):
    answer = Client().get("/cong-chuc/chua-doc/")
    assert answer.status_code == 302
    assert answer["Location"] == "/dang-nhap/?next=/cong-chuc/chua-doc/"


def test_a_logged_in_user_on_no_roster_gets_not_found(world):
    client = Client()
    client.force_login(make_user("editor", "bientap-1"))
    assert client.get("/cong-chuc/").status_code == 404
    assert client.get(f"/cong-chuc/ban-tin/{world['everyone'].slug}/").status_code == 404
    assert not ReachEvent.objects.exists()


def test_staff_log_in_and_land_on_the_portal(world):
    user = world["an"].user
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    answer = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/cong-chuc/"
    home = client.get("/cong-chuc/").content.decode()
    assert 'href="/cong-chuc/" aria-current="page">Cổng cán bộ</a>' in home


def test_the_portal_link_is_only_in_the_header_of_staff(world):
    client = Client()
    client.force_login(make_user("editor", "bientap-2"))
    assert "Cổng cán bộ" not in client.get("/kiem-tra/").content.decode()
    assert "Cổng cán bộ" in _client(world["an"]).get("/kiem-tra/").content.decode()


def test_a_person_who_left_no_longer_gets_in(world):
    from chinhthong.reach import organisation

    client = _client(world["an"])
    organisation.deactivate_staff(world["an"])
    answer = client.get("/cong-chuc/")
    assert answer.status_code == 302  # the account no longer logs in
    assert not ReachEvent.objects.exists()


def test_unread_list_and_home_show_what_the_person_has_left_to_read(world):
    client = _client(world["an"])
    events.record_read(world["an"], world["everyone"], via=Via.BUTTON)
    unread = client.get("/cong-chuc/chua-doc/")
    assert sorted(_titles(unread)) == ["Họp tổ dân phố Cẩm Tây", "Lịch cắt điện Cẩm Phả"]
    assert '<span class="unread-count">2</span>' in unread.content.decode()


def test_the_home_page_offers_notifications_and_zalo_when_they_are_set_up(
    world, settings, tmp_path
):
    from chinhthong.delivery import vapid

    plain = _client(world["an"]).get("/cong-chuc/").content.decode()
    assert 'id="push-notifications"' not in plain and 'id="zalo-link"' not in plain
    assert 'rel="manifest"' in plain  # the portal can be installed as an app
    settings.VAPID_KEY_FILE = tmp_path / "vapid.pem"
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = "123", "bi-mat"
    home = _client(world["an"]).get("/cong-chuc/").content.decode()
    assert 'id="push-notifications"' in home and 'id="zalo-link"' in home
    other = _client(world["an"]).get("/cong-chuc/chua-doc/").content.decode()
    assert 'id="push-notifications"' not in other  # offered on the home page only
