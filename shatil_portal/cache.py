"""Django's Redis cache backend, with two changes.

- One redis client per connection pool: Django builds a new redis.Redis
  object on every cache call, and on loopback its constructor costs more
  than the call itself; the cached public pages and every rate-limited
  request pay for it (docs/BENCHMARKS.md). redis.Redis objects are
  thread-safe, and Django's cache objects are per thread anyway.
- `incr` in one atomic step. Django asks EXISTS, then INCRBY: two round
  trips on every rate-limited request, and a counter that expires between
  the two is created again by INCRBY without its expiry, so that client's
  rate limit would never reset.
"""

from django.core.cache.backends import redis as django_redis

# INCRBY only a key that exists; nil otherwise.
INCR_EXISTING_SCRIPT = """
if redis.call("EXISTS", KEYS[1]) == 1 then
    return redis.call("INCRBY", KEYS[1], ARGV[1])
end
return false
"""


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            script = client.register_script(INCR_EXISTING_SCRIPT)
            self._incr_scripts[id(client)] = script
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

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
