"""Celery tasks: thin interfaces that take ids, call one service, and own
the retry policy. Callers import them as `<name>_task`."""

from celery import shared_task


@shared_task(acks_late=True)
def outbox_deliver_due_task() -> int:
    """The sweep a commit asked for (services/outbox.py, _schedule_delivery)."""
    from consultations.services.outbox import outbox_deliver_due

    return outbox_deliver_due()


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_outbound_emails_task(self, email_ids: list[int]) -> int:
    """Deliver outbox rows queued together; a retry sends only those still
    pending. Commits now ask for a sweep instead (outbox_deliver_due_task);
    kept for the messages an earlier release queued."""
    from consultations.services.outbox import (
        OutboxDeliveryError,
        outbound_emails_deliver,
        outbox_retry_delay,
    )

    try:
        return outbound_emails_deliver(email_ids=email_ids)
    except OutboxDeliveryError as error:
        delay = outbox_retry_delay(attempts=self.request.retries + 1)
        raise self.retry(exc=error, countdown=delay.total_seconds()) from error


@shared_task
def outbox_sweep_task() -> int:
    from consultations.services.outbox import outbox_sweep

    return outbox_sweep()


# Follow-ups: periodic jobs (CELERY_BEAT_SCHEDULE). Each one is idempotent,
# backed by unique keys in the database, so a retry or an overlap sends
# nothing twice.


@shared_task
def first_response_followups_task() -> int:
    from consultations.services.followups import first_response_followups_run

    return first_response_followups_run()


@shared_task
def waiting_nudges_task() -> int:
    from consultations.services.followups import waiting_nudges_run

    return waiting_nudges_run()


@shared_task
def feedback_requests_task() -> int:
    from consultations.services.followups import feedback_requests_run

    return feedback_requests_run()


@shared_task
def meeting_reminders_task() -> int:
    from consultations.services.followups import meeting_reminders_run

    return meeting_reminders_run()


@shared_task
def plan_step_followups_task() -> int:
    from consultations.services.followups import plan_step_followups_run

    return plan_step_followups_run()


@shared_task
def weekly_digest_task() -> int:
    from consultations.services.followups import weekly_digest_send

    return weekly_digest_send()


@shared_task
def retention_anonymize_task() -> int:
    from consultations.services.retention import retention_anonymize_due

    return retention_anonymize_due()


@shared_task
def inbound_mail_fetch_task() -> int:
    """Replies by email: read the mailbox, store what arrived (issue 17)."""
    from consultations.services.inbound import inbound_mail_fetch

    return inbound_mail_fetch()


@shared_task
def daily_counts_rebuild_task() -> int:
    """The dashboard's counts of the days before today (hourly: a day is
    covered again within the hour after a status change moved it back)."""
    from consultations.services.dashboard_counts import daily_counts_rebuild

    return daily_counts_rebuild()
