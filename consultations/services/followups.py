"""Follow-ups on time: a reminder before the first-response deadline,
escalation to the coordinators on breach, nudges while a request waits for
the organization, and the feedback request after completion.

Each job plans, then sends. Planning writes the FollowUp rows a request
calls for; they are unique per (request, kind, sequence), so planning twice,
or in two workers at once, adds nothing. Sending takes the due rows with
``select_for_update(skip_locked=True)`` inside one transaction, cancels a
row that no longer applies (the request was answered, or stopped waiting),
queues its emails in the outbox with a key derived from the row, and marks
it sent. Two workers never take the same row, and a retry finds it sent, so
each person receives each email once.

Every time is computed on the business calendar (business_time.py) and
stored in UTC; emails show Israel time.
"""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import (
    business_day_after,
    business_days_before,
    business_morning,
    to_local,
)
from consultations.models import (
    Consultation,
    FollowUp,
    Message,
    OutboundEmail,
    StatusChange,
)
from consultations.selectors.followups import (
    Recipient,
    advisors_at_capacity,
    consultations_overdue,
    consultations_waiting,
    coordinator_recipients,
    digest_period,
    new_requests_by_track,
    response_policy_for_consultation,
)
from consultations.services.feedback import feedback_invite
from consultations.services.notices import (
    advisor_language,
    format_local,
    notify_organization,
    staff_request_url,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue, outbox_enqueue_created

logger = logging.getLogger(__name__)

Kind = FollowUp.Kind
Status = Consultation.Status

RESPONSE_KINDS = (Kind.RESPONSE_REMINDER, Kind.RESPONSE_ESCALATION)
WAITING_KINDS = (Kind.WAITING_NUDGE, Kind.WAITING_ADVISOR)
FEEDBACK_KINDS = (Kind.FEEDBACK_REQUEST,)


class FollowUpNotApplicable(Exception):
    """The row's moment passed or its reason went away; it is cancelled."""


# Response deadline ------------------------------------------------------


def response_reminder_at(*, consultation: Consultation) -> datetime.datetime:
    """The morning that the policy's lead time before the deadline names,
    never before the request arrived."""
    policy = response_policy_for_consultation(consultation=consultation)
    due_day = to_local(moment=consultation.first_response_due_at).date()
    day = business_days_before(day=due_day, days=policy.reminder_business_days_before)
    return max(business_morning(day=day), consultation.submitted_at)


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
        "url": staff_request_url(consultation=consultation),
        **staff_summary(
            consultation,
            language,
            due=format_local(
                moment=consultation.first_response_due_at, language=language
            ),
        ),
    }


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
        language = advisor_language(advisor=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
        return [(advisor.email, language, url)]
    return [
        (
            recipient.email,
            settings.LANGUAGE_CODE,
            staff_request_url(consultation=consultation),
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
            context=context,
        )


def _escalation_context(
    *, batch: list[Consultation], recipient: Recipient, now: datetime.datetime
) -> dict:
    language = settings.LANGUAGE_CODE
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
                language=settings.LANGUAGE_CODE,
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


# 2. Waiting for the organization --------------------------------------------


def _wait_started() -> StatusChange:
    """The latest move into "waiting" from another status (a reassignment
    keeps the status on both sides and does not restart the wait)."""
    return (
        StatusChange.objects.filter(
            consultation=OuterRef("pk"), to_status=Status.WAITING_FOR_ORGANIZATION
        )
        .exclude(from_status=Status.WAITING_FOR_ORGANIZATION)
        .order_by("-created_at", "-pk")
    )


def waiting_nudges_plan(*, now: datetime.datetime) -> int:
    """For each wait with no follow-ups yet: a nudge to the contact after N
    business days, a second after N more, then a note to the advisor."""
    days = settings.FOLLOWUP_WAITING_BUSINESS_DAYS
    waiting = (
        Consultation.objects.filter(
            status=Status.WAITING_FOR_ORGANIZATION, anonymized_at__isnull=True
        )
        .annotate(
            wait_change_id=Subquery(_wait_started().values("pk")[:1]),
            wait_started_at=Subquery(_wait_started().values("created_at")[:1]),
        )
        .filter(wait_change_id__isnull=False)
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    consultation=OuterRef("pk"),
                    status_change_id=OuterRef("wait_change_id"),
                )
            )
        )
        .annotate(
            last_nudge=Max(
                "followups__sequence", filter=Q(followups__kind=Kind.WAITING_NUDGE)
            ),
            last_advisor_note=Max(
                "followups__sequence", filter=Q(followups__kind=Kind.WAITING_ADVISOR)
            ),
        )
        .order_by("pk")[: settings.FOLLOWUP_BATCH_SIZE]
    )
    rows = []
    for consultation in waiting:
        started = consultation.wait_started_at
        nudge = consultation.last_nudge or 0
        steps = [
            (Kind.WAITING_NUDGE, nudge + 1, days),
            (Kind.WAITING_NUDGE, nudge + 2, 2 * days),
            (Kind.WAITING_ADVISOR, (consultation.last_advisor_note or 0) + 1, 3 * days),
        ]
        rows += [
            FollowUp(
                consultation=consultation,
                kind=kind,
                sequence=sequence,
                status_change_id=consultation.wait_change_id,
                scheduled_at=business_morning(
                    day=business_day_after(moment=started, days=after)
                ),
            )
            for kind, sequence, after in steps
        ]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _check_still_waiting(followup: FollowUp) -> StatusChange:
    consultation = followup.consultation
    if consultation.anonymized_at is not None:
        raise FollowUpNotApplicable(_("The request was anonymized."))
    if consultation.status != Status.WAITING_FOR_ORGANIZATION:
        raise FollowUpNotApplicable(_("The request is no longer waiting."))
    current = (
        StatusChange.objects.filter(
            consultation=consultation, to_status=Status.WAITING_FOR_ORGANIZATION
        )
        .exclude(from_status=Status.WAITING_FOR_ORGANIZATION)
        .order_by("-created_at", "-pk")
        .first()
    )
    if current is None or current.pk != followup.status_change_id:
        raise FollowUpNotApplicable(_("A later wait replaced this one."))
    if Message.objects.filter(
        consultation=consultation,
        direction=Message.Direction.FROM_ORGANIZATION,
        created_at__gt=current.created_at,
    ).exists():
        raise FollowUpNotApplicable(_("The organization wrote back."))
    return current


def _send_waiting_nudge(followup: FollowUp, now: datetime.datetime) -> None:
    current = _check_still_waiting(followup)
    consultation = followup.consultation
    language = consultation.preferred_language
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.WAITING_NUDGE,
        dedup_key=_dedup_key(followup),
        advisor_first_name=(
            consultation.advisor.first_name if consultation.advisor_id else ""
        ),
        since=format_local(moment=current.created_at, language=language),
        is_second=followup.sequence % 2 == 0,
    )


def _send_waiting_advisor(followup: FollowUp, now: datetime.datetime) -> None:
    current = _check_still_waiting(followup)
    consultation = followup.consultation
    advisor = consultation.advisor
    if advisor is not None and advisor.is_active and advisor.email:
        email, language = advisor.email, advisor_language(advisor=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
    else:
        email, language = settings.STAFF_INBOX_EMAIL, settings.LANGUAGE_CODE
        url = staff_request_url(consultation=consultation)
    outbox_enqueue(
        kind=OutboundEmail.Kind.WAITING_ADVISOR,
        to_address=email,
        dedup_key=_dedup_key(followup, email),
        language=language,
        consultation=consultation,
        context={
            "advisor_first_name": advisor.first_name if advisor else "",
            "url": url,
            "since": format_local(moment=current.created_at, language=language),
            "business_days": 3 * settings.FOLLOWUP_WAITING_BUSINESS_DAYS,
            **staff_summary(consultation, language),
        },
    )


def _send_waiting(followup: FollowUp, now: datetime.datetime) -> None:
    # After downtime, or for a wait older than the jobs, several steps are
    # due at once: only the last one goes out.
    if (
        FollowUp.objects.filter(
            status_change_id=followup.status_change_id,
            consultation_id=followup.consultation_id,
            kind__in=WAITING_KINDS,
            scheduled_at__gt=followup.scheduled_at,
            scheduled_at__lte=now,
        )
        .exclude(pk=followup.pk)
        .exists()
    ):
        raise FollowUpNotApplicable(_("A later step was due at the same time."))
    if followup.kind == Kind.WAITING_NUDGE:
        _send_waiting_nudge(followup, now)
    else:
        _send_waiting_advisor(followup, now)


def waiting_nudges_run(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: plan the nudges of new waits, send the due ones."""
    now = now or timezone.now()
    waiting_nudges_plan(now=now)
    return _send_each(kinds=WAITING_KINDS, now=now, send=_send_waiting)


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


# 4. Weekly digest -------------------------------------------------------------

DIGEST_LIST_LIMIT = 50


def _digest_items(
    *, consultations: list[Consultation], recipient: Recipient, language: str
) -> tuple[list[dict], int, int]:
    """Lines the recipient may read, how many crisis requests were left out
    (counted only), and how many more did not fit."""
    visible = [
        consultation
        for consultation in consultations
        if recipient.sees_crisis or not consultation.is_crisis
    ]
    items = [
        _staff_item(consultation=consultation, language=language)
        for consultation in visible[:DIGEST_LIST_LIMIT]
    ]
    return (
        items,
        len(consultations) - len(visible),
        max(len(visible) - DIGEST_LIST_LIMIT, 0),
    )


def weekly_digest_context(*, recipient: Recipient, now: datetime.datetime) -> dict:
    language = settings.LANGUAGE_CODE
    since, until = digest_period(now=now)
    with translation.override(language):
        new_by_track = [
            {"title": str(track.title), "count": count}
            for track, count in new_requests_by_track(since=since, until=until)
        ]
        all_overdue = list(consultations_overdue(now=now))
        all_waiting = list(consultations_waiting())
        overdue, overdue_hidden, overdue_more = _digest_items(
            consultations=all_overdue, recipient=recipient, language=language
        )
        waiting, waiting_hidden, waiting_more = _digest_items(
            consultations=all_waiting, recipient=recipient, language=language
        )
        return {
            "since": format_local(moment=since, language=language),
            "until": format_local(moment=until, language=language),
            "new_by_track": new_by_track,
            "new_total": sum(row["count"] for row in new_by_track),
            "overdue": overdue,
            "overdue_count": len(all_overdue),
            "overdue_hidden_crisis": overdue_hidden,
            "overdue_more": overdue_more,
            "waiting": waiting,
            "waiting_count": len(all_waiting),
            "waiting_hidden_crisis": waiting_hidden,
            "waiting_more": waiting_more,
            "advisors_at_capacity": [
                {
                    "name": str(profile),
                    "load": profile.load,
                    "capacity": profile.capacity,
                }
                for profile in advisors_at_capacity()
            ],
        }


def weekly_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Queue this week's digest for each coordinator and the staff inbox.

    The key names the week (from Sunday) and the address, so a second run in
    the same week, or two at once, queues nothing new. Crisis requests
    appear by reference and link to those allowed to see them, and as a
    count to the others.
    """
    now = now or timezone.now()
    today = to_local(moment=now).date()
    # The Israeli week starts on Sunday (Python's weekday() 6).
    week_start = today - datetime.timedelta(days=(today.weekday() + 1) % 7)
    queued = 0
    contexts: dict[bool, dict] = {}
    for recipient in coordinator_recipients():
        key = f"weekly_digest:{week_start:%Y-%m-%d}:{recipient.email.lower()}"
        if OutboundEmail.objects.filter(dedup_key=key).exists():
            continue
        if recipient.sees_crisis not in contexts:
            contexts[recipient.sees_crisis] = weekly_digest_context(
                recipient=recipient, now=now
            )
        with transaction.atomic():
            _email, created = outbox_enqueue_created(
                kind=OutboundEmail.Kind.WEEKLY_DIGEST,
                to_address=recipient.email,
                dedup_key=key,
                language=settings.LANGUAGE_CODE,
                context={
                    **contexts[recipient.sees_crisis],
                    "first_name": recipient.first_name,
                },
            )
        # Another run may have queued it since the check above: count only
        # the rows this run made.
        queued += created
    return queued
