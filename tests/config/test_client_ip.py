"""One rule for the client address behind trusted proxies, for rate limits and lock-outs."""

import pytest
from django.test import RequestFactory, override_settings

from chinhthong.config.client_ip import client_ip


def request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_peer_is_the_client_and_headers_are_ignored():
    with override_settings(PROXY_COUNT=0):
        assert client_ip(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own forgery is ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, "", "10.0.0.1"),  # a proxy that sent no header: fall back to the peer
    ],
)
def test_behind_proxies_the_nth_address_from_the_right(proxies, forwarded, expected):
    with override_settings(PROXY_COUNT=proxies):
        assert client_ip(request("10.0.0.1", forwarded)) == expected


@override_settings(PROXY_COUNT=1, PUBLIC_RATE_LIMIT="2/m")
def test_rate_limit_counts_real_clients_behind_the_proxy(client, db):
    def get(addr):
        return client.get(
            "/api/v1/channels", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=addr
        ).status_code

    assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert get("198.51.100.2") == 200
    assert get("6.6.6.6, 198.51.100.1") == 429  # forging a first hop does not reset the count


@override_settings(PROXY_COUNT=1, AXES_FAILURE_LIMIT=2)
def test_lockout_is_per_client_behind_the_proxy(client, editor):
    from tests.conftest import PASSWORD

    def login(addr, password):
        return client.post(
            "/dang-nhap/",
            {"username": "bientap", "password": password},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=addr,
        ).status_code

    assert [login("198.51.100.9", "sai") for _ in range(2)] == [200, 429]
    assert login("198.51.100.9", PASSWORD) == 429
    # The same account from another client is not locked out by the attacker's failures.
    assert login("198.51.100.10", PASSWORD) == 302


def test_a_forwarded_value_that_is_not_an_address_falls_back_to_the_peer():
    with override_settings(PROXY_COUNT=1):
        assert client_ip(request("10.0.0.1", "not-an-ip")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("peer", "expected"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),  # the same host's /64
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),  # another /64, another client
        ("::ffff:203.0.113.9", "203.0.113.9"),  # IPv4 written as IPv6 is that IPv4 client
        ("::1", "::1"),
        ("203.0.113.9", "203.0.113.9"),
    ],
)
def test_an_ipv6_client_is_its_64_network(peer, expected):
    """The finding: 300 addresses of one /64 through X-Forwarded-For were 300 clients, so one
    IPv6 host passed every per-address limit (concurrency, rate, log-in, memory)."""
    with override_settings(PROXY_COUNT=0):
        assert client_ip(request(peer)) == expected
    with override_settings(PROXY_COUNT=1):
        assert client_ip(request("10.0.0.1", peer)) == expected
