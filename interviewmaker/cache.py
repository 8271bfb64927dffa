"""The rate-limit cache: Django's Redis cache that fails open while Redis is unreachable."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from interviewmaker.outage import ratelimit_cache

CONSEQUENCE = "requests pass without rate limiting"


class FailOpenRedisCache(RedisCache):
    """`add`/`get` answer "nothing stored" and `incr` raises ValueError, as for a missing key.

    django-ratelimit then finds no count and, with RATELIMIT_FAIL_OPEN, lets the request through
    instead of answering 500 (Redis errors) or 429 (its fail-closed default).
    """

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        if ratelimit_cache.down():
            return False
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            ratelimit_cache.failed(exc, CONSEQUENCE)
            return False

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        if ratelimit_cache.down():
            return default
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            ratelimit_cache.failed(exc, CONSEQUENCE)
            return default

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        if ratelimit_cache.down():
            raise ValueError("rate-limit cache unavailable")
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            ratelimit_cache.failed(exc, CONSEQUENCE)
            raise ValueError("rate-limit cache unavailable") from None
