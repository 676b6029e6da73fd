"""Settings changes that docs/BENCHMARKS.md proposes, so that anyone can
measure them against the production settings on the same data:

    make bench BENCH_ARGS="--settings proposed_settings"

Not used by the portal itself; whoever adopts a change moves it into
shatil_portal/ and deletes it here.
"""

from django.core.cache.backends import redis as django_redis

from shatil_portal.settings import *  # noqa: F403


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis object per connection
    pool: Django builds a new one on every cache call, and redis-py's
    constructor (about 50 µs) costs more than the call itself on loopback.
    redis.Redis objects are thread-safe, and Django's cache objects are per
    thread anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":  # noqa: F405
    CACHES["default"]["BACKEND"] = "proposed_settings.RedisCache"  # noqa: F405
