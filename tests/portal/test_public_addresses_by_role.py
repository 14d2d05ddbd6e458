"""The portal's public addresses × every role, GET and POST: everyone reads them the same, and
nobody writes through them (the back office is the only way to change the identity, and it is
tested in tests/accounts/test_back_office_permissions.py)."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.portal import images, services
from tests.conftest import PASSWORD
from tests.portal import pictures

VISITORS = [None, *roles.PERMISSIONS]  # None: someone with no account


@pytest.fixture
def identity(default_registry):
    services.load_default_identity()
    return services.update_identity(
        reason="Thử",
        pictures={images.EMBLEM: pictures.png(), images.FAVICON: pictures.ico()},
    )


def _client(role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(accounts.create_user(f"nguoi-{role}", PASSWORD, role=role))
    return client


def _addresses(identity) -> dict[str, int]:
    """Each public address of the portal and what a GET answers."""
    found = identity.__class__.objects.get(pk=identity.pk)
    return {
        "/phan-anh/": 200,
        "/favicon.ico": 302,
        found.emblem_url: 200,
        found.favicon_url: 200,
        "/anh/bieu-trung/khong-co": 404,
    }


@pytest.mark.parametrize("role", VISITORS, ids=lambda r: r or "outsider")
def test_every_visitor_reads_the_portals_public_addresses_and_writes_nothing(identity, role):
    client = _client(role)
    before = list(identity.history.values_list("history_id", flat=True))
    for address, status in _addresses(identity).items():
        assert client.get(address).status_code == status, (role, address)
        refused = client.post(address, {"hours": "đổi", "site_name": "đổi"})
        assert refused.status_code in (403, 404, 405), (role, address, refused.status_code)
    assert list(identity.history.values_list("history_id", flat=True)) == before
    assert services.stored_identity().hours != "đổi"
