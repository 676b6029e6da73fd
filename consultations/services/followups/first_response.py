"""Before the first-response deadline, a reminder to the advisor (or the
coordinators); once it passes unanswered, an escalation to the coordinators."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import business_days_before, business_morning, to_local
from consultations.models import Consultation, FollowUp, OutboundEmail
from consultations.selectors.followups import (
    Recipient,
    consultations_overdue,
    coordinator_recipients,
    response_policy_for_consultation,
)
from consultations.services.followups.shared import (
    FollowUpNotApplicable,
    Kind,
    _dedup_key,
    _lock_due,
    _mark,
    _send_each,
    _staff_item,
    followup_cancel,
)
from consultations.services.notices import (
    format_local,
    staff_language,
    staff_reply_to,
    staff_request_url,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue

# Response deadline ------------------------------------------------------


def response_reminder_at(*, consultation: Consultation) -> datetime.datetime:
    """The morning that the policy's lead time before the deadline names,
    never before the request arrived."""
    policy = response_policy_for_consultation(consultation=consultation)
    due_day = to_local(moment=consultation.first_response_due_at).date()
    day = business_days_before(day=due_day, days=policy.reminder_business_days_before)
    return max(business_morning(day=day), consultation.submitted_at)


# 1. First-response reminders and escalation -------------------------------


def _awaiting_first_response() -> Q:
    return Q(
        status__in=Consultation.OPEN_STATUSES,
        first_responded_at__isnull=True,
        anonymized_at__isnull=True,
    )


def first_response_followups_plan(*, now: datetime.datetime) -> int:
    """Give every unanswered open request its reminder and escalation rows."""
    missing = (
        Consultation.objects.filter(_awaiting_first_response())
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    consultation=OuterRef("pk"), kind=Kind.RESPONSE_ESCALATION
                )
            )
        )
        .select_related("track")
        .order_by("first_response_due_at", "pk")[: settings.FOLLOWUP_BATCH_SIZE]
    )
    rows = []
    for consultation in missing:
        rows += [
            FollowUp(
                consultation=consultation,
                kind=Kind.RESPONSE_REMINDER,
                scheduled_at=response_reminder_at(consultation=consultation),
            ),
            FollowUp(
                consultation=consultation,
                kind=Kind.RESPONSE_ESCALATION,
                scheduled_at=consultation.first_response_due_at,
            ),
        ]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _check_awaiting(consultation: Consultation) -> None:
    if consultation.anonymized_at is not None:
        raise FollowUpNotApplicable(_("The request was anonymized."))
    if consultation.is_closed:
        raise FollowUpNotApplicable(_("The request was closed."))
    if consultation.first_responded_at is not None:
        raise FollowUpNotApplicable(_("The organization was answered."))


def _reminder_recipients(*, consultation: Consultation) -> list[tuple[str, str, str]]:
    """(email, language, link) for the assigned advisor, or else for each
    coordinator and the staff inbox."""
    advisor = consultation.advisor
    if advisor is not None and advisor.is_active and advisor.email:
        language = staff_language(user=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
        return [(advisor.email, language, url)]
    language = staff_language()
    return [
        (
            recipient.email,
            language,
            staff_request_url(consultation=consultation, language=language),
        )
        for recipient in coordinator_recipients()
        if recipient.sees_crisis or not consultation.is_crisis
    ]


def _send_response_reminder(followup: FollowUp, now: datetime.datetime) -> None:
    consultation = followup.consultation
    _check_awaiting(consultation)
    if consultation.first_response_due_at <= now:
        raise FollowUpNotApplicable(_("The deadline passed; escalation follows."))
    for email, language, url in _reminder_recipients(consultation=consultation):
        context = {
            "url": url,
            # The deadline is no personal data: a crisis notice shows it too.
            "due": format_local(
                moment=consultation.first_response_due_at, language=language
            ),
            **staff_summary(consultation, language),
        }
        outbox_enqueue(
            kind=OutboundEmail.Kind.RESPONSE_REMINDER,
            to_address=email,
            dedup_key=_dedup_key(followup, email),
            language=language,
            consultation=consultation,
            reply_to=staff_reply_to(consultation=consultation),
            context=context,
        )


def _escalation_context(
    *, batch: list[Consultation], recipient: Recipient, now: datetime.datetime
) -> dict:
    language = staff_language()
    with translation.override(language):
        visible = [
            _staff_item(consultation=consultation, language=language)
            for consultation in batch
            if recipient.sees_crisis or not consultation.is_crisis
        ]
    overdue = consultations_overdue(now=now)
    if not recipient.sees_crisis:
        overdue = overdue.filter(is_crisis=False)
    return {
        "items": visible,
        "hidden_crisis_count": len(batch) - len(visible),
        "overdue_count": overdue.count(),
    }


def first_response_escalations_send(*, now: datetime.datetime) -> int:
    """One email per coordinator listing the requests whose deadline just
    passed unanswered; each request is escalated once.

    The email's key is the first row of the batch, which this worker alone
    holds, so overlapping runs send disjoint lists and a retry sends none.
    """
    with transaction.atomic():
        rows = _lock_due(
            kinds=[Kind.RESPONSE_ESCALATION],
            now=now,
            limit=settings.FOLLOWUP_BATCH_SIZE,
        )
        batch = []
        for followup in rows:
            try:
                _check_awaiting(followup.consultation)
            except FollowUpNotApplicable as reason:
                followup_cancel(followup=followup, reason=str(reason))
                continue
            batch.append(followup)
        if not batch:
            return 0
        consultations = sorted(
            (followup.consultation for followup in batch),
            key=lambda consultation: (
                not consultation.is_crisis,
                consultation.first_response_due_at,
            ),
        )
        for recipient in coordinator_recipients():
            context = _escalation_context(
                batch=consultations, recipient=recipient, now=now
            )
            outbox_enqueue(
                kind=OutboundEmail.Kind.RESPONSE_ESCALATION,
                to_address=recipient.email,
                dedup_key=_dedup_key(batch[0], recipient.email),
                language=staff_language(),
                context=context,
            )
        for followup in batch:
            _mark(followup, status=FollowUp.Status.SENT, now=now)
    return len(batch)


def first_response_followups_run(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: plan, remind before the deadline, escalate after."""
    now = now or timezone.now()
    first_response_followups_plan(now=now)
    reminded = _send_each(
        kinds=[Kind.RESPONSE_REMINDER], now=now, send=_send_response_reminder
    )
    return reminded + first_response_escalations_send(now=now)
