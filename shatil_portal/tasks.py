from celery import shared_task


@shared_task(ignore_result=False)
def wiring_check_task(value: int) -> int:
    """Proves the Celery wiring end to end: answers with its argument plus one."""
    return value + 1
