"""Rate limits on public endpoints, counted in the shared cache but not on every request.

A fixed window per client address and endpoint group. Each process keeps the hits it has not
yet reported and adds them to the shared counter (one cache round trip) on a client's first
hit, every SYNC_EVERY hits (or 1% of the limit, whichever is more), every SYNC_SECONDS, or on
every hit once a client nears its limit:
a busy endpoint pays the round trip on a small share of requests, while a client over its
limit is refused whichever node it reaches. django-ratelimit's per-request counting cost more
than the check itself on /api/v1/check (bench/http_check.py).
"""

import functools
import math
import threading
import time
import weakref

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied
from django_ratelimit.exceptions import Ratelimited
from redis.exceptions import RedisError

from chinhthong.config.client_ip import client_ip

SYNC_EVERY = 20
SYNC_SHARE = 0.01  # a high limit (a mail gateway's) is synced every 1% of it instead
SYNC_SECONDS = 1.0
NEAR_LIMIT = 0.8
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/m" -> (120, 60); "5/10s" -> (5, 10)."""
    count, _, period = rate.partition("/")
    number = "".join(ch for ch in period if ch.isdigit()) or "1"
    unit = period[len(number) if period[:1].isdigit() else 0 :] or "s"
    return int(count), int(number) * _UNITS[unit[0]]


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

    def hit(self, group: str, client: str, rate: str) -> int:
        """Count one request: 0 when allowed; over the limit, the seconds until the client's
        window starts afresh (at least 1), read from the same clock reading as the window."""
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
            window.pending += 1
            estimate = window.known + window.pending
            due = (
                (
                    window.pending == 1 and window.known == 0
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


class RateLimitExceeded(Ratelimited):
    """Over the limit; ``retry_after``: seconds until the client's window starts afresh."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def retry_after_header(response, exception):
    """The 429 answer with Retry-After, when the limit that refused knows its window."""
    seconds = getattr(exception, "retry_after", None)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


class InvalidApiKey(PermissionDenied):
    """An X-API-Key header that names no active client (401 on the API)."""


def public_rate_limit(group: str):
    """Decorator for public views: over the limit, RateLimitExceeded (a 429 page or JSON error
    with a Retry-After header).
    A request with an X-API-Key header counts against that client's own limit instead of its
    address's; an unknown or revoked key is refused rather than counted as anonymous."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            key = request.META.get("HTTP_X_API_KEY")
            if key is None:
                wait = LIMITER.hit(group, client_ip(request), settings.PUBLIC_RATE_LIMIT)
            else:
                from chinhthong.checks.api_keys import client_for

                client = client_for(key.strip())
                if client is None:
                    raise InvalidApiKey()
                wait = LIMITER.hit(group, "key:" + client.name, client.rate)
            if wait:
                raise RateLimitExceeded(wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
