"""Reachability of the services the portal depends on."""

from django.conf import settings
from django.db import connection
from kombu import Connection


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def broker_is_reachable() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
