"""Follow-through on the work plan (issue 18): a step that falls due is
reminded to its owner on the business morning of its due date (the next
business day when it falls on a Friday, a Saturday or a day off), and an
organization step still open some business days later is flagged to the
advisor.

Each row names the step and the due date it reminds of, unique together,
so a step is reminded once per due date: a changed due date plans a new
reminder, and the row of the old date is cancelled when its time comes.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import (
    business_morning,
    is_business_day,
    next_business_day,
    to_local,
)
from consultations.models import (
    Consultation,
    FollowUp,
    OutboundEmail,
    PlanStep,
    StepOwner,
)
from consultations.services.followups.shared import (
    FollowUpNotApplicable,
    Kind,
    _send_each,
)
from consultations.services.notices import (
    notify_organization,
    staff_language,
    staff_request_url,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue

STEP_KINDS = (Kind.STEP_DUE, Kind.STEP_OVERDUE)
OPEN_STEP_STATUSES = (PlanStep.Status.PLANNED, PlanStep.Status.IN_PROGRESS)
# Steps due longer ago than this when first seen (a plan older than the
# job, a long outage) are not reminded: a reminder weeks late helps nobody.
PLANNING_HORIZON = datetime.timedelta(days=7)


def step_reminder_day(*, due_date: datetime.date) -> datetime.date:
    """The business day on which a step due on `due_date` is reminded."""
    if is_business_day(day=due_date):
        return due_date
    return next_business_day(day=due_date)


def step_overdue_day(*, due_date: datetime.date) -> datetime.date:
    """The business day on which an organization step still open is
    overdue by PLAN_STEP_OVERDUE_BUSINESS_DAYS, counted from the day it
    was reminded."""
    day = step_reminder_day(due_date=due_date)
    for _step in range(settings.PLAN_STEP_OVERDUE_BUSINESS_DAYS):
        day = next_business_day(day=day)
    return day


def plan_step_followups_plan(*, now: datetime.datetime) -> int:
    """Give each open step of an open request its reminder and overdue rows
    for its current due date. The overdue row is planned for every step and
    checked against the step's owner when its time comes, so a step handed
    to the organization later is still flagged."""
    today = to_local(moment=now).date()
    steps = (
        PlanStep.objects.filter(
            status__in=OPEN_STEP_STATUSES,
            due_date__gte=today - PLANNING_HORIZON,
            plan__consultation__status__in=Consultation.OPEN_STATUSES,
            plan__consultation__anonymized_at__isnull=True,
        )
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    plan_step=OuterRef("pk"),
                    kind=Kind.STEP_DUE,
                    step_due_date=OuterRef("due_date"),
                )
            )
        )
        .values_list("pk", "due_date", "plan__consultation_id")
        .order_by("due_date", "pk")[: settings.FOLLOWUP_BATCH_SIZE]
    )
    rows = []
    for step_id, due_date, consultation_id in steps:
        for kind, day in (
            (Kind.STEP_DUE, step_reminder_day(due_date=due_date)),
            (Kind.STEP_OVERDUE, step_overdue_day(due_date=due_date)),
        ):
            rows.append(
                FollowUp(
                    consultation_id=consultation_id,
                    kind=kind,
                    plan_step_id=step_id,
                    step_due_date=due_date,
                    scheduled_at=business_morning(day=day),
                )
            )
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def plan_step_followups_cancel_stale() -> int:
    """Cancel, with the reason, the scheduled rows whose step was done or
    dropped, moved to another date, or whose request was closed since they
    were planned, so that the admin and the advisor's next step never show
    a reminder that will not go out. Sending checks the same again."""
    scheduled = FollowUp.objects.filter(
        status=FollowUp.Status.SCHEDULED, kind__in=STEP_KINDS
    )
    reasons = [
        (
            Q(plan__consultation__status__in=Consultation.CLOSED_STATUSES),
            _("The request was closed."),
        ),
        (~Q(status__in=OPEN_STEP_STATUSES), _("The step is done or dropped.")),
    ]
    cancelled = 0
    for condition, reason in reasons:
        cancelled += scheduled.filter(
            plan_step__in=PlanStep.objects.filter(condition)
        ).update(
            status=FollowUp.Status.CANCELLED,
            failure_message=reason,
            updated_at=timezone.now(),
        )
    cancelled += scheduled.exclude(plan_step__due_date=F("step_due_date")).update(
        status=FollowUp.Status.CANCELLED,
        failure_message=_("The step's due date changed."),
        updated_at=timezone.now(),
    )
    return cancelled


def _check_step(followup: FollowUp) -> PlanStep:
    """The step as it is now, if the row still applies to it."""
    consultation = followup.consultation
    if consultation.anonymized_at is not None:
        raise FollowUpNotApplicable(_("The request was anonymized."))
    if consultation.is_closed:
        raise FollowUpNotApplicable(_("The request was closed."))
    step = PlanStep.objects.get(pk=followup.plan_step_id)
    if step.status not in OPEN_STEP_STATUSES:
        raise FollowUpNotApplicable(_("The step is done or dropped."))
    if step.due_date != followup.step_due_date:
        raise FollowUpNotApplicable(_("The step's due date changed."))
    return step


def _due_date_text(step: PlanStep, language: str) -> str:
    with translation.override(language):
        return formats.date_format(step.due_date, "DATE_FORMAT")


def _advisor_address(consultation: Consultation) -> tuple[str, str, str]:
    """(email, language, link) of the assigned active advisor, else of the
    staff inbox."""
    advisor = consultation.advisor if consultation.advisor_id else None
    if advisor is not None and advisor.is_active and advisor.email:
        language = staff_language(user=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
        return advisor.email, language, url
    language = staff_language()
    url = staff_request_url(consultation=consultation, language=language)
    return settings.STAFF_INBOX_EMAIL, language, url


def _dedup_key(followup: FollowUp, recipient: str = "") -> str:
    key = (
        f"{followup.kind}:{followup.consultation_id}:{followup.plan_step_id}:"
        f"{followup.step_due_date:%Y-%m-%d}"
    )
    return f"{key}:{recipient.lower()}" if recipient else key


def _to_advisor(
    followup: FollowUp, step: PlanStep, *, kind: str, **context
) -> OutboundEmail:
    consultation = followup.consultation
    email, language, url = _advisor_address(consultation)
    advisor = consultation.advisor if consultation.advisor_id else None
    return outbox_enqueue(
        kind=kind,
        to_address=email,
        dedup_key=_dedup_key(followup, email),
        language=language,
        consultation=consultation,
        context={
            "advisor_first_name": advisor.first_name if advisor else "",
            "url": url,
            **context,
            # A crisis request's email names the reference only.
            **staff_summary(
                consultation,
                language,
                step_title=step.title,
                due=_due_date_text(step, language),
            ),
        },
    )


def _send_step_due(followup: FollowUp, now: datetime.datetime) -> None:
    step = _check_step(followup)
    consultation = followup.consultation
    if step.owner != StepOwner.ORGANIZATION:
        _to_advisor(followup, step, kind=OutboundEmail.Kind.STEP_DUE_ADVISOR)
        return
    details = {}
    if not consultation.is_crisis:
        details = {
            "step_title": step.title,
            "due": _due_date_text(step, consultation.preferred_language),
        }
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.STEP_DUE_ORGANIZATION,
        dedup_key=_dedup_key(followup),
        is_crisis=consultation.is_crisis,
        **details,
    )


def _send_step_overdue(followup: FollowUp, now: datetime.datetime) -> None:
    step = _check_step(followup)
    if step.owner != StepOwner.ORGANIZATION:
        raise FollowUpNotApplicable(_("The step is not the organization's."))
    _to_advisor(
        followup,
        step,
        kind=OutboundEmail.Kind.STEP_OVERDUE,
        business_days=settings.PLAN_STEP_OVERDUE_BUSINESS_DAYS,
    )


def _send_step(followup: FollowUp, now: datetime.datetime) -> None:
    if followup.kind == Kind.STEP_DUE:
        _send_step_due(followup, now)
    else:
        _send_step_overdue(followup, now)


def plan_step_followups_run(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: plan the rows of new steps and due dates, send the
    due ones."""
    now = now or timezone.now()
    plan_step_followups_cancel_stale()
    plan_step_followups_plan(now=now)
    return _send_each(kinds=STEP_KINDS, now=now, send=_send_step)
