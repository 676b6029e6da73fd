"""The project's Redis cache backend (shatil_portal/cache.py) on the real
Redis: what the rate limits count with."""

import uuid

import pytest
from django.core.cache import cache


@pytest.fixture
def key():
    name = f"counter-{uuid.uuid4()}"
    yield name
    cache.delete(name)


def test_incr_counts_up_and_keeps_the_expiry(key):
    cache.add(key, 1, timeout=60)

    assert cache.incr(key) == 2
    assert cache.incr(key, 5) == 7
    assert cache.get(key) == 7
    client = cache._cache.get_client(key)
    ttl = client.ttl(cache.make_and_validate_key(key))
    assert 0 < ttl <= 60


def test_incr_of_a_missing_or_expired_counter_refuses_and_creates_nothing(key):
    with pytest.raises(ValueError):
        cache.incr(key)
    # Django's two-step incr would have left a counter without an expiry
    # here, and the client it counts would stay limited for good.
    assert cache.get(key) is None
    assert not cache.has_key(key)
