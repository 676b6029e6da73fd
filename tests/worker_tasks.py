"""Tasks that exist only for the tests of the worker itself; imported before
the test worker starts, so that it knows them."""

from django.core.cache import cache
from django.db import connection

from shatil_portal.celery import app


@app.task(name="tests.record_database_backend")
def record_database_backend(cache_key: str) -> None:
    """Leave the PostgreSQL backend serving this task's queries in the cache
    under `cache_key`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cache.set(cache_key, cursor.fetchone()[0], 60)
