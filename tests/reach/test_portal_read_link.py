"""The personal signed link from a staff member's message: it records the read for that person
and shows the bulletin without a log-in, logs no one in, and refuses clearly when it is not
good (never a 500)."""

import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.test import Client

from chinhthong.bulletins import services as bulletins
from chinhthong.reach import links, organisation
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_tree()
    return {
        "an": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "binh": make_staff(tree["HL-BC"], "Trần Thị Bình"),
        "bulletin": publish_bulletin("Cảnh báo lừa đảo", urgent=True),
    }


def _reads(staff=None):
    found = ReachEvent.objects.filter(kind=EventKind.READ)
    return found.filter(staff=staff) if staff else found


def test_the_link_records_the_read_without_a_log_in_and_logs_no_one_in(world):
    client = Client()
    path = links.personal_path(world["an"], world["bulletin"])
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cảnh báo lừa đảo" in html and "<strong>đường link</strong>" in html
    assert "Đã ghi nhận: bạn đã đọc bản tin này" in html
    read = _reads().get()
    assert (read.staff, read.bulletin, read.version, read.via) == (
        world["an"],
        world["bulletin"],
        1,
        Via.PERSONAL_LINK,
    )
    assert SESSION_KEY not in client.session
    assert client.get("/cong-chuc/").status_code == 302  # still asked to log in
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in page["Cache-Control"]
    # Opening it again records nothing more.
    client.get(path)
    assert _reads().count() == 1


def test_the_link_counts_for_its_person_whoever_is_logged_in(world):
    client = Client()
    client.force_login(world["binh"].user)
    client.get(links.personal_path(world["an"], world["bulletin"]))
    assert list(_reads().values_list("staff", flat=True)) == [world["an"].pk]
    assert client.session[SESSION_KEY] == str(world["binh"].user.pk)


def _tampered(token: str) -> str:
    """The token with one character of its payload changed."""
    head, rest = token[0], token[1:]
    return ("A" if head != "A" else "B") + rest


@pytest.mark.parametrize(
    "token",
    ["khong-hop-le", "a" * 400, ".", "e30:1abc:zzz", "%00", "%E1%BB%87:1:2"],
)
def test_a_broken_link_gets_a_clear_page(world, token):
    page = Client().get(f"/cong-chuc/doc/{token}/")
    assert page.status_code == 404
    assert "Không dùng được đường link này" in page.content.decode()
    assert not _reads().exists()


def test_a_link_altered_to_name_someone_else_is_refused(world):
    token = links.token_for(world["an"], world["bulletin"])
    forged = signing.dumps(
        [world["binh"].pk, world["bulletin"].pk], salt="another-salt", compress=True
    )
    for bad in (_tampered(token), forged, token[:-2]):
        page = Client().get(f"/cong-chuc/doc/{bad}/")
        assert page.status_code == 404
    assert not _reads().exists()


def test_an_expired_link_is_refused(world, monkeypatch):
    made = time.time() - links.MAX_AGE - 60
    monkeypatch.setattr(signing.time, "time", lambda: made)
    token = links.token_for(world["an"], world["bulletin"])
    monkeypatch.undo()
    page = Client().get(f"/cong-chuc/doc/{token}/")
    assert page.status_code == 404
    assert "hết hạn" in page.content.decode()
    assert not _reads().exists()


def test_a_link_of_someone_who_left_or_of_a_cancelled_bulletin_is_refused(world):
    draft = bulletins.create_draft(
        bulletins.Draft(title="Chưa đăng", body_markdown="Nháp."), actor=None
    )
    assert Client().get(links.personal_path(world["an"], draft)).status_code == 404
    path = links.personal_path(world["an"], world["bulletin"])
    organisation.deactivate_staff(world["an"])
    assert Client().get(path).status_code == 404
    assert not _reads().exists()


def test_after_a_significant_correction_the_link_shows_and_counts_the_newest(world):
    bulletin, an = world["bulletin"], world["an"]
    path = links.personal_path(an, bulletin)
    Client().get(path)
    draft = bulletins.Draft(title="Cảnh báo lừa đảo (đính chính)", body_markdown="Số mới: 113.")
    bulletins.correct(bulletin, draft, actor=None, significant=True, change_note="Sửa số gọi")
    page = Client().get(path).content.decode()
    assert "Cảnh báo lừa đảo (đính chính)" in page and "Số mới: 113." in page
    assert "Sửa số gọi" in page and "thay đổi quan trọng: cần đọc lại" in page
    assert sorted(_reads(an).values_list("version", flat=True)) == [1, 2]


def test_sharing_from_the_link_carries_the_persons_code(world):
    an = world["an"]
    token = links.token_for(an, world["bulletin"])
    page = Client().get(f"/cong-chuc/doc/{token}/").content.decode()
    assert f"?s={an.share_code}" in page
    answer = Client().post(f"/cong-chuc/doc/{token}/chia-se/", {"via": "facebook"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert f"%3Fs%3D{an.share_code}" in answer["Location"]
    copied = Client().post(f"/cong-chuc/doc/{token}/chia-se/", {"via": "copy"})
    assert copied["Location"] == f"/cong-chuc/doc/{token}/#chia-se"
    shares = ReachEvent.objects.filter(kind=EventKind.SHARED)
    assert list(shares.values_list("staff", "via")) == [
        (an.pk, Via.FACEBOOK),
        (an.pk, Via.COPY_LINK),
    ]
    assert Client().post("/cong-chuc/doc/hong/chia-se/", {"via": "zalo"}).status_code == 404
    assert shares.count() == 2


def test_the_share_from_a_link_needs_the_form_token(world):
    client = Client(enforce_csrf_checks=True)
    token = links.token_for(world["an"], world["bulletin"])
    answer = client.post(f"/cong-chuc/doc/{token}/chia-se/", {"via": "zalo"})
    assert answer.status_code == 403
    assert not ReachEvent.objects.filter(kind=EventKind.SHARED).exists()


def test_the_link_page_is_in_the_language_asked(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(links.personal_path(world["an"], world["bulletin"])).content.decode()
    assert "Recorded: you read this bulletin" in page
