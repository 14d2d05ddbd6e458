"""API keys: a mail gateway calls the API under its own limit, not its address's."""

import pytest
from typer.testing import CliRunner

from chinhthong.clients import api_keys
from chinhthong.clients.models import ApiClient
from chinhthong.config import cli

cli._mount()
runner = CliRunner()


def check(client, key=None):
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/check", {"input": "a.vn"}, content_type="application/json", **headers
    )


def test_a_key_has_its_own_limit_beside_the_public_one(client, default_registry, settings):
    settings.PUBLIC_RATE_LIMIT = "2/m"
    _gateway, key = api_keys.create("mail-gateway", rate="5/m")
    anonymous = [check(client).status_code for _ in range(3)]
    keyed = [check(client, key).status_code for _ in range(6)]
    assert anonymous == [200, 200, 429]
    assert keyed == [200] * 5 + [429]


@pytest.mark.parametrize("key", ["ct_wrong", ""])
def test_an_unknown_key_is_refused_not_counted_as_anonymous(client, db, key):
    api_keys.create("mail-gateway")
    response = check(client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Khóa API không hợp lệ hoặc đã bị thu hồi."


def test_a_revoked_key_stops_working(client, default_registry):
    _gateway, key = api_keys.create("mail-gateway")
    assert check(client, key).status_code == 200
    api_keys.revoke("mail-gateway")
    assert check(client, key).status_code == 401


def test_only_a_digest_of_the_key_is_stored(db):
    gateway, key = api_keys.create("mail-gateway", description="Cổng thư Sở TTTT")
    stored = ApiClient.objects.get(pk=gateway.pk)
    assert key.startswith("ct_") and len(key) > 40
    assert stored.key_digest == api_keys.digest(key) and key not in stored.key_digest
    assert stored.key_prefix == key[:10]


def test_bad_rates_and_duplicate_names_are_refused_in_vietnamese(db):
    with pytest.raises(api_keys.ApiKeyRefused, match="không phải giới hạn tần suất"):
        api_keys.create("gateway", rate="lots")
    with pytest.raises(api_keys.ApiKeyRefused, match="không dùng được làm tên"):
        api_keys.create("cổng thư")
    api_keys.create("gateway")
    with pytest.raises(api_keys.ApiKeyRefused, match="Đã có chương trình dùng API tên “gateway”"):
        api_keys.create("gateway")
    assert ApiClient.objects.count() == 1


def test_the_command_line_makes_lists_and_revokes_keys(client, default_registry):
    made = runner.invoke(cli.app, ["apikey", "create", "mail-gateway", "--rate", "100/m"])
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    assert check(client, key).status_code == 200
    listed = runner.invoke(cli.app, ["apikey", "list"])
    assert (
        "mail-gateway" in listed.stdout and key[:10] in listed.stdout and key not in listed.stdout
    )
    assert runner.invoke(cli.app, ["apikey", "revoke", "mail-gateway"]).exit_code == 0
    assert check(client, key).status_code == 401
    assert runner.invoke(cli.app, ["apikey", "revoke", "nobody"]).exit_code == 2
    assert runner.invoke(cli.app, ["apikey", "create", "x", "--rate", "nhanh"]).exit_code == 2


def test_the_administrator_changes_a_limit_but_cannot_see_or_make_keys(client, administrator):
    gateway, key = api_keys.create("mail-gateway")
    client.force_login(administrator)
    page = client.get(f"/quan-tri/clients/apiclient/{gateway.pk}/change/")
    assert page.status_code == 200
    assert key not in page.content.decode() and gateway.key_digest not in page.content.decode()
    assert client.get("/quan-tri/clients/apiclient/add/").status_code == 403
    refused = client.post(
        f"/quan-tri/clients/apiclient/{gateway.pk}/change/",
        {"description": "", "rate": "nhiều", "active": "on"},
    )
    assert refused.status_code == 200 and "không phải giới hạn tần suất" in refused.content.decode()
    saved = client.post(
        f"/quan-tri/clients/apiclient/{gateway.pk}/change/",
        {"description": "", "rate": "9000/m", "active": "on"},
    )
    assert saved.status_code == 302
    assert ApiClient.objects.get(pk=gateway.pk).rate == "9000/m"
