"""A Redis cache that answers "unknown" instead of failing when Redis is unreachable.

Django's RedisCache raises on a refused connection, and every page touching the cache would
answer 500. Public pages should stay up while Redis is down (the outage shows in /healthz), so
cache errors become misses here; the rate limiter then counts in its own process.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        return self._quietly("add", False, *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._quietly("get", kwargs.get("default"), *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._quietly("incr", None, *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._quietly("set", None, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._quietly("delete", False, *args, **kwargs)

    def _quietly(self, method: str, fallback, *args, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            log.warning("cache %s failed: %s", method, exc)
            return fallback
