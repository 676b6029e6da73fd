from celery import shared_task

from .health import record_heartbeat


@shared_task(ignore_result=False)
def wiring_check_task(value: int) -> int:
    """Proves the Celery wiring end to end: answers with its argument plus one."""
    return value + 1


@shared_task
def heartbeat_task() -> None:
    """Scheduled by beat every minute and run by a worker: /healthz reads the
    time it wrote to tell that both are alive (shatil_portal/health.py)."""
    record_heartbeat()
