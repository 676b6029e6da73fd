"""Celery tasks: thin interfaces that take ids, call one service, and own
the retry policy. Callers import them as `<name>_task`."""

from celery import shared_task


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_outbound_email_task(self, email_id: int) -> bool:
    from consultations.services.outbox import (
        OutboxDeliveryError,
        outbound_email_deliver,
        outbox_retry_delay,
    )

    try:
        return outbound_email_deliver(email_id=email_id)
    except OutboxDeliveryError as error:
        delay = outbox_retry_delay(attempts=self.request.retries + 1)
        raise self.retry(exc=error, countdown=delay.total_seconds()) from error


@shared_task
def outbox_sweep_task() -> int:
    from consultations.services.outbox import outbox_sweep

    return outbox_sweep()
