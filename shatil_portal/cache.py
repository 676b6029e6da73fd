"""Django's Redis cache backend, keeping one redis client per connection pool.

Django builds a new redis.Redis object on every cache call, and on loopback
its constructor costs more than the call itself; the cached public pages
and every rate-limited request pay for it (docs/BENCHMARKS.md). redis.Redis
objects are thread-safe, and Django's cache objects are per thread anyway.
"""

from django.core.cache.backends import redis as django_redis


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
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
