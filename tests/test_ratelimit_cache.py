"""The rate-limit cache on the path of every applicant request: one client per pool, one round trip per
increment, and the semantics django-ratelimit relies on (a missing counter is not created by incr)."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches

from interviewmaker.settings import ratelimit_cache_config


@pytest.fixture
def cache(settings):
    """The rate-limit cache as settings.py configures it, on the suite's Redis, under its own prefix."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("needs REDIS_URL: make test runs the suite with a Redis of its own")
    config = {**ratelimit_cache_config(url), "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "ratelimit": config}
    cache = caches["ratelimit"]
    yield cache
    cache.delete("counter")


def test_one_redis_client_serves_every_call(cache):
    backend = cache._cache
    assert backend.get_client("a") is backend.get_client("b", write=True)


def test_incr_counts_an_existing_counter_and_keeps_its_expiry(cache):
    assert cache.add("counter", 1, 60)
    assert cache.incr("counter") == 2
    assert cache.incr("counter", 5) == 7
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("counter")) <= 60


def test_incr_of_a_missing_counter_raises_and_creates_nothing(cache):
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.get("counter") is None


def test_incr_is_one_round_trip(cache, monkeypatch):
    client = cache._cache.get_client(write=True)
    cache.add("counter", 1, 60)
    cache.incr("counter")  # loads the script once
    sent = []
    original = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *a, **kw: sent.append(a[0]) or original(*a, **kw))
    assert cache.incr("counter") == 3
    assert sent == ["EVALSHA"]


def test_incr_still_works_after_redis_forgot_the_script(cache):
    """A Redis restarted empty (an outage) has no scripts: the first call loads it again."""
    cache.add("counter", 1, 60)
    cache._cache.get_client(write=True).script_flush()
    assert cache.incr("counter") == 2
