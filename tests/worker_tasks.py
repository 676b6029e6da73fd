"""Tasks that exist only for the tests of the worker itself; imported before
the test worker starts, so that it knows them."""

from django.db import connection

from shatil_portal.celery import app


@app.task(name="tests.database_backend_pid", ignore_result=False)
def database_backend_pid() -> int:
    """The PostgreSQL backend serving this task's queries."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
