"""The public addresses of bulletins × every role and someone with no account, GET and POST:
everyone reads the same published bulletins, nobody sees an unpublished one there (the back
office previews drafts), and nothing is written through them — the forward check answers a
POST without storing anything."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.bulletins import services
from chinhthong.bulletins.models import Bulletin, BulletinVersion
from chinhthong.reach.models import ReachEvent
from tests.bulletins.public_bulletins import draft, publish
from tests.conftest import PASSWORD

VISITORS = [None, *roles.PERMISSIONS]  # None: someone with no account


@pytest.fixture
def bulletins(db):
    published = publish(urgency="urgent")
    unpublished = services.create_draft(draft(title="Bản nháp", urgency="urgent"), actor=None)
    return published, unpublished


def _client(role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(accounts.create_user(f"nguoi-{role}", PASSWORD, role=role))
    return client


def _addresses(published: Bulletin, unpublished: Bulletin) -> dict[str, int]:
    """Each public address of bulletins and what a GET answers."""
    return {
        "/ban-tin/": 200,
        "/ban-tin/?q=lua+dao&chu-de=lừa+đảo": 200,
        "/ban-tin/rss.xml": 200,
        "/ban-tin/atom.xml": 200,
        "/ban-tin/cap.xml": 200,
        "/ban-tin/kiem-tra/": 200,
        f"/ban-tin/{published.slug}/": 200,
        f"/ban-tin/{published.slug}/cap.xml": 200,
        f"/ban-tin/{published.slug}/v1.cap.xml": 200,
        f"/ban-tin/{published.slug}/v1.json": 200,
        f"/ban-tin/{published.slug}/v1.json.sig": 200,
        f"/ban-tin/{published.slug}/?s=khong-co": 302,
        f"/ban-tin/{unpublished.slug}/": 404,
        f"/ban-tin/{unpublished.slug}/cap.xml": 404,
        f"/ban-tin/{unpublished.slug}/v1.json": 404,
        f"/ban-tin/{unpublished.slug}/v1.json.sig": 404,
    }


def _written() -> tuple:
    return (
        list(Bulletin.history.values_list("history_id", flat=True)),
        list(BulletinVersion.objects.values_list("pk", "signature")),
        ReachEvent.objects.count(),
    )


@pytest.mark.parametrize("role", VISITORS, ids=lambda r: r or "outsider")
def test_every_visitor_reads_the_same_published_bulletins_and_writes_nothing(bulletins, role):
    published, unpublished = bulletins
    client = _client(role)
    before = _written()
    for address, status in _addresses(published, unpublished).items():
        answer = client.get(address)
        assert answer.status_code == status, (role, address, answer.status_code)
        if status == 200 and address.startswith("/ban-tin/?"):
            page = answer.content.decode()
            assert published.latest_version.title in page and "Bản nháp" not in page
        if address == "/ban-tin/kiem-tra/":
            continue
        refused = client.post(address, {"title": "đổi", "status": "published"})
        assert refused.status_code in (403, 404, 405), (role, address, refused.status_code)
    checked = client.post("/ban-tin/kiem-tra/", {"text": "Bản nháp " * 20})
    assert checked.status_code == 200
    assert "Nội dung này không khớp với bản tin nào đã đăng" in checked.content.decode()
    assert _written() == before
    unpublished.refresh_from_db()
    assert unpublished.status == "draft"
