"""The outbox: every email is a row before it is a message.

A service calls `outbox_enqueue` inside its transaction; the row commits with
the change that caused it, and only then is a Celery task asked to deliver it.
If the broker is down the row simply stays pending, and the periodic sweep
delivers it later. Delivery claims the row (`sending`) in its own commit
before talking to the mail server, so a retried or duplicated task never sends
the same row twice; a row left in `sending` by a crash is shown to staff
rather than resent blindly.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consultations.models import Consultation, OutboundEmail

logger = logging.getLogger(__name__)

# Context keys with this prefix (raw tokens, private links) are erased once
# the email has been sent.
SECRET_PREFIX = "secret_"


class OutboxDeliveryError(Exception):
    """The mail server refused or failed; the row is pending again (or failed)."""


def outbox_max_attempts() -> int:
    return getattr(settings, "OUTBOX_MAX_ATTEMPTS", 6)


def outbox_retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4, 8... minutes, capped at one hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def outbox_enqueue(
    *,
    kind: str,
    to_address: str,
    dedup_key: str,
    language: str = "he",
    context: dict | None = None,
    consultation: Consultation | None = None,
    reply_to: str = "",
    is_new: bool = False,
) -> OutboundEmail:
    """Queue one email, once: a second call with the same key returns the row.

    Must run inside the caller's transaction; delivery is scheduled after
    commit and never fails the caller, even with the broker down.

    `is_new`: the caller knows no row can have this key yet (it names an
    object created in the same transaction), so the row is inserted without
    looking for it first; the unique key still refuses a duplicate.
    """
    fields = {
        "kind": kind,
        "to_address": to_address,
        "reply_to": reply_to,
        "language": language,
        "context": context or {},
        "consultation": consultation,
        "next_attempt_at": timezone.now(),
    }
    if is_new:
        email = OutboundEmail.objects.create(dedup_key=dedup_key, **fields)
        created = True
    else:
        email, created = OutboundEmail.objects.get_or_create(
            dedup_key=dedup_key, defaults=fields
        )
    if created:
        transaction.on_commit(partial(_schedule_delivery, email.pk))
    return email


def _schedule_delivery(email_id: int) -> None:
    """Ask a worker to deliver the row. With the broker down the row stays
    pending for the sweep: the failure is caught and logged here, never
    raised into the request that committed. (Django's robust on_commit
    cannot name a functools.partial when it logs, so it is not used.)"""
    from consultations.tasks import deliver_outbound_email_task

    try:
        deliver_outbound_email_task.delay(email_id)
    except Exception as error:
        logger.warning(
            "Outbox row %s stays pending for the sweep, enqueueing failed: %s",
            email_id,
            type(error).__name__,
        )


def _claim(email_id: int) -> OutboundEmail | None:
    """Mark a pending row `sending` in its own commit; None if not claimable."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return None
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.save(update_fields=["status", "attempts", "updated_at"])
    return email


def outbound_email_deliver(*, email_id: int) -> bool:
    """Send one pending row at most once. True when this call sent it.

    Raises OutboxDeliveryError when sending failed; the row is then pending
    again with a later `next_attempt_at`, or failed after the last attempt.
    """
    from consultations.emails import build_message

    email = _claim(email_id)
    if email is None:
        return False
    try:
        build_message(email).send()
    except Exception as error:
        outbound_email_record_failure(email=email, error=error)
        raise OutboxDeliveryError(str(error)) from error

    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.context = {
        key: value
        for key, value in email.context.items()
        if not key.startswith(SECRET_PREFIX)
    }
    email.save(
        update_fields=["status", "sent_at", "last_error", "context", "updated_at"]
    )
    return True


def outbound_email_record_failure(*, email: OutboundEmail, error: Exception) -> None:
    gives_up = email.attempts >= outbox_max_attempts()
    email.status = (
        OutboundEmail.Status.FAILED if gives_up else OutboundEmail.Status.PENDING
    )
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    email.next_attempt_at = timezone.now() + outbox_retry_delay(attempts=email.attempts)
    email.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
    logger.warning(
        "Outbox row %s (%s) failed on attempt %s: %s",
        email.pk,
        email.kind,
        email.attempts,
        type(error).__name__,
    )


def outbox_due_ids(*, now: datetime, limit: int = 100) -> list[int]:
    """Pending rows whose next attempt is due and that no task is handling.

    A grace period leaves freshly queued rows to their own task.
    """
    grace = timedelta(seconds=getattr(settings, "OUTBOX_SWEEP_GRACE_SECONDS", 60))
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now - grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Deliver every due pending row; return how many were sent."""
    sent = 0
    for email_id in outbox_due_ids(now=now or timezone.now()):
        try:
            sent += outbound_email_deliver(email_id=email_id)
        except OutboxDeliveryError:
            continue
    return sent


def outbound_email_requeue(*, email: OutboundEmail) -> OutboundEmail:
    """Staff decision: a failed row, or one stuck in `sending` that staff
    checked was not delivered, goes back to pending for one more try."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if email.status not in (OutboundEmail.Status.FAILED, OutboundEmail.Status.SENDING):
        raise ValidationError(_("Only failed or stuck emails can be sent again."))
    with transaction.atomic():
        email.status = OutboundEmail.Status.PENDING
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "next_attempt_at", "updated_at"])
        transaction.on_commit(partial(_schedule_delivery, email.pk))
    return email
