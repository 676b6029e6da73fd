"""What every follow-up job shares: taking the due rows locked, marking
them, sending each in its own savepoint, the outbox keys derived from a row,
and cancelling a row that no longer applies."""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from consultations.models import Consultation, FollowUp
from consultations.services.notices import (
    format_local,
    staff_request_url,
    staff_summary,
)

logger = logging.getLogger(__name__)

Kind = FollowUp.Kind
Status = Consultation.Status

RESPONSE_KINDS = (Kind.RESPONSE_REMINDER, Kind.RESPONSE_ESCALATION)
WAITING_KINDS = (Kind.WAITING_NUDGE, Kind.WAITING_ADVISOR)
FEEDBACK_KINDS = (Kind.FEEDBACK_REQUEST,)


class FollowUpNotApplicable(Exception):
    """The row's moment passed or its reason went away; it is cancelled."""


# Shared sending machinery --------------------------------------------------


def _lock_due(*, kinds: Iterable[str], now: datetime.datetime, limit: int):
    """Due scheduled rows of `kinds`, with their request, locked; rows (or
    requests) another worker holds are skipped, not waited for."""
    return list(
        FollowUp.objects.select_for_update(
            skip_locked=True, of=("self", "consultation")
        )
        .select_related("consultation")
        .filter(status=FollowUp.Status.SCHEDULED, kind__in=kinds, scheduled_at__lte=now)
        .order_by("scheduled_at", "pk")[:limit]
    )


def _mark(followup: FollowUp, *, status: str, message: str = "", now=None) -> None:
    followup.status = status
    followup.failure_message = message[:2000]
    fields = ["status", "failure_message", "updated_at"]
    if status == FollowUp.Status.SENT:
        followup.sent_at = now or timezone.now()
        fields.append("sent_at")
    followup.save(update_fields=fields)


@transaction.atomic
def followup_cancel(*, followup: FollowUp, reason: str, actor=None) -> FollowUp:
    """Cancel a scheduled follow-up; the reason shows in the admin.

    Decided on the row as it is now, locked, not as the admin list loaded
    it: a follow-up a job sent meanwhile stays sent. A staff member who
    cancels (`actor`) is recorded in the admin's log; the jobs cancel
    without one.
    """
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status != FollowUp.Status.SCHEDULED:
        return followup
    _mark(followup, status=FollowUp.Status.CANCELLED, message=reason)
    if actor is not None:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[followup],
            action_flag=CHANGE,
            change_message="Cancelled",
            single_object=True,
        )
    return followup


def _send_each(
    *,
    kinds: Iterable[str],
    now: datetime.datetime,
    send: Callable[[FollowUp, datetime.datetime], None],
) -> int:
    """Lock the due rows and hand each to `send`, which queues its emails
    or raises FollowUpNotApplicable. A row whose sending fails otherwise is
    marked failed with the error, in its own savepoint, and the others go on.
    """
    sent = 0
    with transaction.atomic():
        for followup in _lock_due(
            kinds=kinds, now=now, limit=settings.FOLLOWUP_BATCH_SIZE
        ):
            try:
                with transaction.atomic():
                    send(followup, now)
            except FollowUpNotApplicable as reason:
                followup_cancel(followup=followup, reason=str(reason))
                continue
            except Exception as error:
                logger.exception("Follow-up %s failed", followup.pk)
                _mark(
                    followup,
                    status=FollowUp.Status.FAILED,
                    message=f"{type(error).__name__}: {error}",
                )
                continue
            _mark(followup, status=FollowUp.Status.SENT, now=now)
            sent += 1
    return sent


def _dedup_key(followup: FollowUp, recipient: str = "") -> str:
    key = f"{followup.kind}:{followup.consultation_id}:{followup.sequence}"
    return f"{key}:{recipient.lower()}" if recipient else key


def _staff_item(*, consultation: Consultation, language: str) -> dict:
    """A request as a line of a staff email: a crisis request by reference
    and link only (DECISIONS.md, "People and permissions")."""
    return {
        "url": staff_request_url(consultation=consultation, language=language),
        **staff_summary(
            consultation,
            language,
            due=format_local(
                moment=consultation.first_response_due_at, language=language
            ),
        ),
    }
