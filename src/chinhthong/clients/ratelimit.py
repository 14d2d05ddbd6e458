"""Rate limits per client, counted in the shared cache but not on every request.

Every request is counted once, by RequestBudgetMiddleware (clients/middleware.py), under its
view's group (pages, api, snapshot, health, backoffice, login), before anything reads its
body; a batch charges its further items with ``charge``. A client is its API key when it
sends a valid one, else its address (config/client_ip.py); an unknown key counts against the
address.

A fixed window per client and group. Each process keeps the hits it has not yet reported and
adds them to the shared counter (one cache round trip) on a client's first hit, every
SYNC_EVERY hits (or 1% of the limit, whichever is more), every SYNC_SECONDS, or on every hit
once a client nears its limit: a busy endpoint pays the round trip on a small share of
requests, while a client over its limit is refused whichever node it reaches.
django-ratelimit's per-request counting cost more than the check itself on /api/v1/check
(bench/http_check.py).
"""

import contextlib
import math
import threading
import time
import weakref

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from chinhthong.clients import api_keys
from chinhthong.config.client_ip import client_ip
from chinhthong.config.rates import parse_rate

SYNC_EVERY = 20
SYNC_SHARE = 0.01  # a high limit (a mail gateway's) is synced every 1% of it instead
SYNC_SECONDS = 1.0
NEAR_LIMIT = 0.8
# Group of views -> the setting that holds its rate (config/settings.py).
GROUP_RATES = {
    "pages": "PUBLIC_RATE_LIMIT",
    "api": "PUBLIC_RATE_LIMIT",
    "snapshot": "SNAPSHOT_RATE_LIMIT",
    "health": "HEALTH_RATE_LIMIT",
    "backoffice": "BACKOFFICE_RATE_LIMIT",
    "login": "LOGIN_RATE_LIMIT",
    "webhook": "WEBHOOK_RATE_LIMIT",  # the Zalo OA's events (delivery/zalo_webhook.py)
    "reports": "REPORT_RATE_LIMIT",  # reports of false information, by form and API
}


class _Window:
    __slots__ = ("known", "pending", "synced")

    def __init__(self):
        self.known = 0  # the shared count as last read
        self.pending = 0  # hits in this process not yet added to it
        self.synced = time.monotonic()


class Limiter:
    def __init__(self):
        self.lock = threading.Lock()
        self.windows: dict[tuple, _Window] = {}
        self.current = 0

    def hit(self, group: str, client: str, rate: str, cost: int = 1) -> int:
        """Count ``cost`` requests: 0 when allowed; over the limit, the seconds until the
        client's window starts afresh (at least 1), read from the same clock reading as the
        window."""
        limit, period = parse_rate(rate)
        now = time.time()
        start = int(now // period) * period
        over = max(1, math.ceil(start + period - now))
        key = (group, client, start)
        with self.lock:
            if start != self.current:
                self._forget_before(start)
            window = self.windows.get(key)
            if window is None:
                window = self.windows[key] = _Window()
            window.pending += cost
            estimate = window.known + window.pending
            due = (
                (
                    window.pending == cost and window.known == 0
                )  # first hit here: learn the shared count
                or window.pending >= max(SYNC_EVERY, limit * SYNC_SHARE)
                or time.monotonic() - window.synced >= SYNC_SECONDS
                or estimate >= limit * NEAR_LIMIT
            )
            if not due:
                return 0
            pending, window.pending = window.pending, 0
        shared = self._add(f"rl:{group}:{client}:{start}", pending, period)
        with self.lock:
            if shared is None:  # the cache is down: count what this process saw
                window.known += pending
            else:
                window.known = shared
            window.synced = time.monotonic()
            return over if window.known + window.pending > limit else 0

    def _add(self, key: str, amount: int, period: int) -> int | None:
        backend = caches["default"]  # `cache` is a proxy: isinstance needs the backend itself
        if isinstance(backend, RedisCache):
            return _redis_add(backend, key, amount, period)
        cache.add(key, 0, period + 5)
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr, or the cache answered nothing
            return None

    def _forget_before(self, start: int) -> None:
        self.windows = {k: w for k, w in self.windows.items() if k[2] >= start}
        self.current = start

    def reset(self) -> None:
        with self.lock:
            self.windows.clear()


def _redis_add(backend: RedisCache, key: str, amount: int, period: int) -> int | None:
    """INCRBY and EXPIRE in one round trip (Django's cache API needs three)."""
    full_key = backend.make_and_validate_key(key)
    try:
        client = _redis_client(backend._cache, full_key)
        pipe = client.pipeline(transaction=False)
        pipe.incrby(full_key, amount)
        pipe.expire(full_key, period + 5, nx=True)
        count, _expiry = pipe.execute()
    except RedisError:
        return None
    return int(count)


_CLIENTS: "weakref.WeakKeyDictionary[object, object]" = weakref.WeakKeyDictionary()


def _redis_client(cache_client, key: str):
    """The redis-py client for ``key``, made once per cache client: Django makes a new one on
    every call, which cost more than the round trip itself (bench/http_check.py)."""
    found = _CLIENTS.get(cache_client)
    if found is None:
        found = _CLIENTS[cache_client] = cache_client.get_client(key, write=True)
    return found


LIMITER = Limiter()


class RateLimitExceeded(Exception):
    """Over the limit; ``retry_after``: seconds until the client's window starts afresh."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class InvalidApiKey(Exception):
    """An X-API-Key header that names no active client (401 on the API)."""


def limit(request, group: str, cost: int = 1) -> None:
    """Count ``cost`` requests of ``group`` for the client that sent ``request``: against its
    API key's own limit when it sends a valid key, else against its address — an unknown or
    revoked key too, and is then refused. Raises RateLimitExceeded or InvalidApiKey."""
    key = request.META.get("HTTP_X_API_KEY")
    client = api_keys.client_for(key.strip()) if key is not None else None
    if client is not None:
        wait = LIMITER.hit(group, "key:" + client.name, client.rate, cost)
    else:
        rate = getattr(settings, GROUP_RATES[group])
        wait = LIMITER.hit(group, client_ip(request), rate, cost)
    request.rate_limit_group = group
    request.api_client = client
    if wait:
        raise RateLimitExceeded(wait)
    if key is not None and client is None:
        raise InvalidApiKey


# Processor time a request may use per request it counts as. A whole email counts one request
# and one more per 256 KB, but a hostile one (99 nested parts, parameters of thousands of ";")
# cost a hundred times an ordinary one: beyond its first unit it pays for its work.
WORK_UNIT_SECONDS = 0.05


@contextlib.contextmanager
def charged_for_work(request):
    """Count the processor time the block uses, one more request per WORK_UNIT_SECONDS beyond
    the first unit, in the group the request was counted in. The answer being made is never
    refused for it: the client's next requests are."""
    started = time.thread_time()
    try:
        yield
    finally:
        extra = int((time.thread_time() - started) / WORK_UNIT_SECONDS)
        if extra > 0:
            with contextlib.suppress(RateLimitExceeded, InvalidApiKey):
                limit(request, getattr(request, "rate_limit_group", "api"), extra)


def charge(request, items: int) -> None:
    """Count ``items`` more requests for a request that carries them (a batch of inputs),
    in the group it was counted in."""
    if items > 0:
        limit(request, getattr(request, "rate_limit_group", "api"), items)


def limited(group: str, *, max_body: int | None = None):
    """Mark a view with the rate-limit group it is counted in (unmarked views count as
    "pages") and the largest body it accepts (unmarked: settings.MAX_REQUEST_BODY).
    RequestBudgetMiddleware reads the marks before the view runs or anything reads the body."""

    def mark(view):
        view.rate_limit_group = group
        if max_body is not None:
            view.max_body = max_body
        return view

    return mark
