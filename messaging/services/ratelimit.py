"""A global send rate across all workers: a token bucket kept in Redis (off by default)."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from django.conf import settings

# Refill by elapsed time (Redis' own clock, so workers on different hosts agree), then take one token.
# Returns 0 when a token was taken, else the milliseconds to wait before trying again.
_TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
"""  # noqa: S105 - a Lua script, not a password


class NoLimit:
    def wait(self) -> None:
        return None


class RedisTokenBucket:
    """`wait()` blocks until the bucket shared by every worker grants one message."""

    def __init__(self, url: str, rate: float, burst: float, key: str = "im:messaging:rate"):
        import redis

        # Bounded waits: a hanging Redis fails the batch (retried later) instead of blocking the worker.
        self.client = redis.Redis.from_url(url, **settings.REDIS_OPTIONS)
        self.script = self.client.register_script(_TOKEN_BUCKET)
        self.rate = rate
        self.burst = max(1.0, burst)
        self.key = key

    def wait(self) -> None:
        while True:
            delay_ms = int(self.script(keys=[self.key], args=[self.rate, self.burst]))
            if delay_ms <= 0:
                return
            time.sleep(delay_ms / 1000)


def rate_limiter() -> Any:
    rate = settings.MESSAGING_RATE_LIMIT
    if not rate:
        return NoLimit()
    return _bucket(settings.REDIS_URL, rate, settings.MESSAGING_RATE_BURST or rate)


@lru_cache(maxsize=4)
def _bucket(url: str, rate: float, burst: float) -> RedisTokenBucket:
    return RedisTokenBucket(url, rate, burst)
