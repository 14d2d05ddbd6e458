"""The public rate limit: exact at the limit, shared between processes through the cache."""

import pytest
from django.test import override_settings

from chinhthong.clients.ratelimit import Limiter
from chinhthong.config.rates import parse_rate


@pytest.mark.parametrize(
    ("rate", "parsed"), [("120/m", (120, 60)), ("5/10s", (5, 10)), ("1000/h", (1000, 3600))]
)
def test_parse_rate(rate, parsed):
    assert parse_rate(rate) == parsed


def test_a_client_is_refused_after_exactly_its_limit(db):
    limiter = Limiter()
    answers = [limiter.hit("api", "198.51.100.1", "30/m") for _ in range(31)]
    assert [bool(wait) for wait in answers] == [False] * 30 + [True]
    assert limiter.hit("api", "198.51.100.2", "30/m") == 0


def test_the_wait_is_counted_from_the_moment_the_limit_refused(db, limiter_clock):
    clock = limiter_clock
    clock.now = 1_000_002.3  # a "3/10s" window runs from …000 to …010
    limiter = Limiter()
    assert [limiter.hit("api", "198.51.100.1", "3/10s") for _ in range(4)] == [0, 0, 0, 8]
    clock.now = 1_000_009.9999
    assert limiter.hit("api", "198.51.100.1", "3/10s") == 1
    clock.now = 1_000_010.0  # a fresh window
    assert limiter.hit("api", "198.51.100.1", "3/10s") == 0


def test_two_processes_share_one_count_through_the_cache(db):
    # Two limiters stand for two web nodes; the cache is what they share.
    first, second = Limiter(), Limiter()
    assert not any(first.hit("api", "198.51.100.1", "20/m") for _ in range(20))
    assert second.hit("api", "198.51.100.1", "20/m") > 0, "the second node sees the first's hits"
    assert second.hit("api", "198.51.100.9", "20/m") == 0


@override_settings(PUBLIC_RATE_LIMIT="5/m")
def test_pages_and_api_answer_429(client, db, limiter_clock):
    codes = [client.get("/api/v1/agencies").status_code for _ in range(6)]
    assert codes[-1] == 429 and codes[:5] == [200] * 5
    pages = [client.get("/danh-ba/") for _ in range(6)]
    assert [p.status_code for p in pages] == [200] * 5 + [429]
    refused = pages[-1]
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert refused["Retry-After"] == "18"  # 42.5 s into the minute
