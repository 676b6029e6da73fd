"""A feedback request to the organization a few business days after its
request is completed."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.business_time import business_day_after, business_morning
from consultations.models import Consultation, FollowUp, OutboundEmail
from consultations.services.feedback import feedback_invite
from consultations.services.followups.shared import (
    FEEDBACK_KINDS,
    FollowUpNotApplicable,
    Kind,
    Status,
    _dedup_key,
    _send_each,
)
from consultations.services.notices import notify_organization

# 3. Feedback after completion -----------------------------------------------


def feedback_requests_plan(*, now: datetime.datetime) -> int:
    """A feedback request a few business days after each completion, for
    requests completed within the maximum age (older ones are never asked)."""
    oldest = now - datetime.timedelta(days=settings.FOLLOWUP_FEEDBACK_MAX_AGE_DAYS)
    completed = (
        Consultation.objects.filter(
            status=Status.COMPLETED,
            closed_at__gte=oldest,
            anonymized_at__isnull=True,
        )
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    consultation=OuterRef("pk"), kind=Kind.FEEDBACK_REQUEST
                )
            )
        )
        .only("pk", "closed_at")
        .order_by("closed_at", "pk")[: settings.FOLLOWUP_BATCH_SIZE]
    )
    delay = settings.FOLLOWUP_FEEDBACK_DELAY_BUSINESS_DAYS
    rows = [
        FollowUp(
            consultation=consultation,
            kind=Kind.FEEDBACK_REQUEST,
            scheduled_at=business_morning(
                day=business_day_after(moment=consultation.closed_at, days=delay)
            ),
        )
        for consultation in completed
    ]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _send_feedback_request(followup: FollowUp, now: datetime.datetime) -> None:
    consultation = followup.consultation
    if consultation.anonymized_at is not None:
        raise FollowUpNotApplicable(_("The request was anonymized."))
    if consultation.status != Status.COMPLETED:
        raise FollowUpNotApplicable(_("The request is not completed."))
    invitation = feedback_invite(consultation=consultation)
    if invitation is None:
        raise FollowUpNotApplicable(_("The organization already answered."))
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.FEEDBACK_REQUEST,
        dedup_key=_dedup_key(followup),
        secret_feedback_url=invitation.url,
    )


def feedback_requests_run(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    feedback_requests_plan(now=now)
    return _send_each(kinds=FEEDBACK_KINDS, now=now, send=_send_feedback_request)
