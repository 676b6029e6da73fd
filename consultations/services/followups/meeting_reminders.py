"""A business day before each meeting, a reminder to both sides: the
organization's contact, in its language, and the advisor who holds the
meeting, in theirs.

The reminder is due on the morning of the business day before the meeting's
day (Israeli calendar: a Sunday meeting is reminded on Thursday, one after a
holiday on the business day before it). Each version of a meeting is
reminded once: the outbox keys name the meeting and its version, and the
meeting records the version reminded, so two workers, a retry or a second
run send nothing twice. A cancelled meeting is not reminded; a moved one is
a new version, reminded again before its new time. A meeting set (or moved)
after its reminder was due gets none: its invitation has just arrived.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consultations.business_time import (
    business_days_before,
    business_morning,
    to_local,
)
from consultations.models import Consultation, Meeting, OutboundEmail
from consultations.services.notices import notify_organization, staff_language
from consultations.services.outbox import outbox_enqueue
from consultations.services.workspace import (
    meeting_advisor,
    meeting_advisor_context,
    meeting_details,
)

# The reminder of a meeting further ahead than this is never due yet: a
# business day before can be at most a long holiday weekend away.
LOOKAHEAD = datetime.timedelta(days=10)
BATCH_SIZE = 200


def meeting_reminder_at(*, meeting: Meeting) -> datetime.datetime:
    """The morning of the business day before the meeting's day."""
    meeting_day = to_local(moment=meeting.starts_at).date()
    return business_morning(day=business_days_before(day=meeting_day, days=1))


def _send(*, meeting: Meeting) -> None:
    consultation = meeting.consultation
    version = f"{meeting.uid}:{meeting.sequence}"
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.MEETING_REMINDER,
        dedup_key=f"meeting_reminder:{version}",
        **meeting_details(meeting=meeting, language=consultation.preferred_language),
    )
    advisor = meeting_advisor(meeting=meeting, consultation=consultation)
    if advisor is None:
        return
    language = staff_language(user=advisor)
    outbox_enqueue(
        kind=OutboundEmail.Kind.MEETING_REMINDER_TO_ADVISOR,
        to_address=advisor.email,
        dedup_key=f"meeting_reminder_advisor:{version}",
        language=language,
        consultation=consultation,
        context=meeting_advisor_context(
            meeting=meeting, consultation=consultation, language=language
        ),
    )


def meeting_reminders_run(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: remind each meeting whose reminder is due; return
    how many meetings were reminded."""
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        meetings = (
            Meeting.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("consultation", "consultation__advisor", "advisor")
            .filter(
                status=Meeting.Status.SCHEDULED,
                starts_at__gt=now,
                starts_at__lte=now + LOOKAHEAD,
                consultation__anonymized_at__isnull=True,
                consultation__status__in=Consultation.ACTIVE_STATUSES,
            )
            .exclude(reminded_sequence=F("sequence"))
            .order_by("starts_at", "pk")[:BATCH_SIZE]
        )
        for meeting in meetings:
            due_at = meeting_reminder_at(meeting=meeting)
            if due_at > now:
                continue
            # Set or moved after the reminder was due: the invitation of this
            # version was the reminder.
            if meeting.updated_at <= due_at:
                _send(meeting=meeting)
                reminded += 1
            meeting.reminded_sequence = meeting.sequence
            meeting.save(update_fields=["reminded_sequence", "updated_at"])
    return reminded
