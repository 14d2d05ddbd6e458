"""The bulletins' own back-office pages (preview, publish, schedule, cancel, correct, a
version) × every role and anonymous: who sees each, and a write — shown by the bulletin
changing, not by a status code — only with the permission to change bulletins."""

import contextlib

import pytest
from django.db import transaction

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.bulletins import services
from chinhthong.bulletins.models import Bulletin
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROLES = [None, *roles.PERMISSIONS]
BASE = "/quan-tri/bulletins/bulletin"


def _may(role, action: str) -> bool:
    return (
        role in roles.BACK_OFFICE and ("bulletins", f"{action}_bulletin") in roles.PERMISSIONS[role]
    )


def _refusal(role) -> int:
    return 403 if role in roles.BACK_OFFICE else 302


@pytest.fixture
def people(db):
    return {None: None} | {
        role: accounts.create_user(f"vai-tro-{role}", PASSWORD, role=role)
        for role in roles.PERMISSIONS
    }


@pytest.fixture
def bulletins(db):
    def draft(title):
        return services.create_draft(services.Draft(title=title, body_markdown="x"), actor=None)

    published = draft("Đã đăng")
    services.publish(published, actor=None)
    return {"draft": draft("Nháp"), "published": published}


@contextlib.contextmanager
def _as(client, user):
    with transaction.atomic():
        client.logout()
        if user is not None:
            client.force_login(user)
        yield
        transaction.set_rollback(True)


def test_pages_by_role(client, people, bulletins):
    draft, published = bulletins["draft"].pk, bulletins["published"].pk
    pages = {
        f"{BASE}/{draft}/preview/": "view",
        f"{BASE}/{draft}/publish/": "change",
        f"{BASE}/{draft}/schedule/": "change",
        f"{BASE}/{draft}/cancel/": "change",
        f"{BASE}/{published}/correct/": "change",
        f"{BASE}/{published}/versions/1/": "view",
        f"{BASE}/{published}/change/": "view",
        f"{BASE}/": "view",
    }
    for role in ROLES:
        with _as(client, people[role]):
            seen = {url: client.get(url).status_code for url in pages}
            expected = {
                url: 200 if _may(role, action) else _refusal(role) for url, action in pages.items()
            }
            assert seen == expected, role
            missing = 404 if _may(role, "view") else _refusal(role)
            for url in (f"{BASE}/99999999999999999999/preview/", f"{BASE}/999/versions/1/"):
                assert client.get(url).status_code == missing, (role, url)


def test_writes_by_role(client, people, bulletins):
    draft, published = bulletins["draft"], bulletins["published"]
    attempts = [
        (f"{BASE}/{draft.pk}/publish/", {}, draft),
        (f"{BASE}/{draft.pk}/cancel/", {}, draft),
        (f"{BASE}/{draft.pk}/schedule/", {"when_0": "06/12/2099", "when_1": "07:00"}, draft),
        (
            f"{BASE}/{published.pk}/correct/",
            {"title": "Đã đăng", "body_markdown": "y", "change_note": "Sửa nội dung"},
            published,
        ),
    ]
    for role in ROLES:
        for url, data, bulletin in attempts:
            with _as(client, people[role]):
                before = _state(bulletin)
                response = client.post(url, data)
                assert response.status_code < 500
                assert (_state(bulletin) != before) == _may(role, "change"), (role, url)
                if not _may(role, "change"):
                    assert response.status_code == _refusal(role), (role, url)


def _state(bulletin) -> tuple:
    found = Bulletin.objects.get(pk=bulletin.pk)
    return found.status, found.scheduled_for, found.versions.count()
