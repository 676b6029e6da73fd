"""What /healthz reports: the services the portal depends on, and whether
the background work is actually being done.

- database and broker: reachable;
- worker: the heartbeat that beat schedules every minute and a worker
  writes (heartbeat_task) is younger than HEALTH_HEARTBEAT_MAX_AGE, so a
  dead worker or a dead beat shows within minutes;
- outbox: the oldest email still pending is younger than
  HEALTH_OUTBOX_MAX_AGE, so mail piling up shows too (a mail server that
  refuses, a sweep that does not run).

Each check is one cheap query; nothing is cached.
"""

from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat

WORKER_HEARTBEAT = "worker"


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


def record_heartbeat(*, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(
        name=WORKER_HEARTBEAT, defaults={"beat_at": now or timezone.now()}
    )


def heartbeat_age(*, now: datetime) -> float | None:
    """Seconds since the worker last ran the heartbeat; None if it never did."""
    beat_at = (
        Heartbeat.objects.filter(name=WORKER_HEARTBEAT)
        .values_list("beat_at", flat=True)
        .first()
    )
    return None if beat_at is None else (now - beat_at).total_seconds()


def oldest_pending_email_age(*, now: datetime) -> float | None:
    """Seconds the oldest pending outbox row has waited; None if none waits."""
    # Looked up by name: the generic package does not import the apps.
    outbound_email = apps.get_model("consultations", "OutboundEmail")
    oldest = outbound_email.objects.filter(
        status=outbound_email.Status.PENDING
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return None if oldest is None else (now - oldest).total_seconds()


def background_checks() -> tuple[dict[str, str], dict[str, float | None]]:
    """The worker and outbox checks, and the ages they were judged on."""
    now = timezone.now()
    try:
        beat_age = heartbeat_age(now=now)
        email_age = oldest_pending_email_age(now=now)
    except Exception:
        # The database check reports the cause.
        return {"worker": "unknown", "outbox": "unknown"}, {}
    checks = {
        "worker": (
            "ok"
            if beat_age is not None and beat_age <= settings.HEALTH_HEARTBEAT_MAX_AGE
            else "silent"
        ),
        "outbox": (
            "ok"
            if email_age is None or email_age <= settings.HEALTH_OUTBOX_MAX_AGE
            else "backlog"
        ),
    }
    ages = {
        "heartbeat_age_seconds": None if beat_age is None else round(beat_age),
        "oldest_pending_email_age_seconds": (
            None if email_age is None else round(email_age)
        ),
    }
    return checks, ages
