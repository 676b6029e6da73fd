"""While a request waits for the organization: nudges to its contact, then
a note to the advisor."""

import datetime

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.business_time import business_day_after, business_morning
from consultations.models import (
    Consultation,
    FollowUp,
    Message,
    OutboundEmail,
    StatusChange,
)
from consultations.services.followups.shared import (
    WAITING_KINDS,
    FollowUpNotApplicable,
    Kind,
    Status,
    _dedup_key,
    _send_each,
)
from consultations.services.notices import (
    format_local,
    notify_organization,
    staff_language,
    staff_reply_to,
    staff_request_url,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue

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
        email, language = advisor.email, staff_language(user=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
    else:
        email, language = settings.STAFF_INBOX_EMAIL, staff_language()
        url = staff_request_url(consultation=consultation, language=language)
    outbox_enqueue(
        kind=OutboundEmail.Kind.WAITING_ADVISOR,
        to_address=email,
        dedup_key=_dedup_key(followup, email),
        language=language,
        consultation=consultation,
        reply_to=staff_reply_to(consultation=consultation),
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
