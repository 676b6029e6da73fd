"""The advisor's work on a request besides its status: internal notes,
messages to the organization, and meetings with their calendar invitations.

A message or a meeting invitation is human contact with the organization,
so the first one stops the first-response clock (DECISIONS.md, "Time").
"""

from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import ISRAEL_TZ
from consultations.models import (
    Consultation,
    InternalNote,
    Meeting,
    Message,
    OutboundEmail,
)
from consultations.services.access import ensure_may_work_on
from consultations.services.notices import (
    consultation_mark_first_response,
    format_local,
    notify_organization,
)
from consultations.services.workflow import lock_consultation

MAX_BODY_LENGTH = 10_000


def clean_body(body: str, *, empty_message: str) -> str:
    """What staff write (a note, a message, a decline), stripped; refused
    when empty or longer than MAX_BODY_LENGTH."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(empty_message)
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            _("Keep it under %(limit)s characters.") % {"limit": MAX_BODY_LENGTH}
        )
    return body


def _record_first_response(*, consultation: Consultation) -> None:
    fields = consultation_mark_first_response(consultation=consultation)
    if fields:
        consultation.save(update_fields=[*fields, "updated_at"])


def _ensure_reachable(*, consultation: Consultation) -> None:
    if consultation.anonymized_at is not None:
        raise ValidationError(
            _("The request was anonymized; there is nobody to reach.")
        )
    if consultation.status == Consultation.Status.WITHDRAWN:
        raise ValidationError(_("The organization withdrew the request."))


@transaction.atomic
def internal_note_add(
    *, consultation: Consultation, author: AbstractBaseUser, body: str
) -> InternalNote:
    """A note for staff and the advisor; the organization never sees it."""
    ensure_may_work_on(actor=author, consultation=consultation)
    note = InternalNote(
        consultation=consultation,
        author=author,
        body=clean_body(body, empty_message=_("Write the note.")),
    )
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def consultation_message_organization(
    *, consultation: Consultation, author: AbstractBaseUser, body: str
) -> Message:
    """Send the organization a message: stored (their status page shows it)
    and emailed in their language, replies going to the advisor."""
    body = clean_body(body, empty_message=_("Write the message."))
    consultation = lock_consultation(consultation.pk)
    ensure_may_work_on(actor=author, consultation=consultation)
    _ensure_reachable(consultation=consultation)
    message = Message.objects.create(
        consultation=consultation,
        direction=Message.Direction.TO_ORGANIZATION,
        author=author,
        body=body,
    )
    _record_first_response(consultation=consultation)
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.MESSAGE_TO_ORGANIZATION,
        dedup_key=f"message_to_org:{message.pk}",
        author_first_name=author.first_name,
        body=body,
    )
    return message


def meeting_ics(*, meeting: Meeting, consultation: Consultation, cancel: bool) -> str:
    """The invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL).

    The UID never changes and SEQUENCE grows with each version, so calendar
    programs update or remove the event they already hold. Times carry the
    Asia/Jerusalem zone with its VTIMEZONE definition.
    """
    language = consultation.preferred_language
    with translation.override(language):
        summary = _("Consultation with Shatil (%(reference)s)") % {
            "reference": consultation.reference
        }
    starts_at = meeting.starts_at.astimezone(ISRAEL_TZ)
    organizer = icalendar.vCalAddress(f"mailto:{settings.STAFF_INBOX_EMAIL}")
    organizer.params["CN"] = icalendar.vText(_("Shatil"))
    attendee = icalendar.vCalAddress(f"mailto:{consultation.contact_email}")
    attendee.params["CN"] = icalendar.vText(consultation.contact_name)
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    if not cancel:
        attendee.params["RSVP"] = icalendar.vText("TRUE")
    event = icalendar.Event.new(
        uid=meeting.ics_uid,
        sequence=meeting.sequence,
        stamp=timezone.now(),
        start=starts_at,
        end=starts_at + meeting.duration,
        summary=summary,
        location=meeting.location_or_link,
        organizer=organizer,
        attendees=[attendee],
        status=(
            icalendar.enums.STATUS.CANCELLED
            if cancel
            else icalendar.enums.STATUS.CONFIRMED
        ),
    )
    if meeting.mode == Meeting.Mode.ONLINE and meeting.location_or_link.startswith(
        ("https://", "http://")
    ):
        event.add("url", meeting.location_or_link)
    calendar = icalendar.Calendar.new(
        prodid="-//Shatil//Consultation portal//EN",
        method="CANCEL" if cancel else "REQUEST",
        subcomponents=[event],
    )
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _send_invitation(
    *, meeting: Meeting, consultation: Consultation, cancel: bool = False
) -> None:
    language = consultation.preferred_language
    ics = meeting_ics(meeting=meeting, consultation=consultation, cancel=cancel)
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.MEETING_INVITATION,
        dedup_key=f"meeting:{meeting.uid}:{meeting.sequence}",
        advisor_first_name=meeting.advisor.first_name if meeting.advisor else "",
        when=format_local(moment=meeting.starts_at, language=language),
        duration_minutes=int(meeting.duration.total_seconds() // 60),
        mode=meeting.mode,
        location_or_link=meeting.location_or_link,
        is_update=meeting.sequence > 0 and not cancel,
        is_cancelled=cancel,
        ics=ics,
        ics_method="CANCEL" if cancel else "REQUEST",
    )


@transaction.atomic
def meeting_schedule(
    *,
    consultation: Consultation,
    advisor: AbstractBaseUser,
    starts_at: datetime,
    duration: timedelta,
    mode: str,
    location_or_link: str,
    summary: str = "",
) -> Meeting:
    """Log a meeting. One still ahead sends the organization an invitation;
    one already held is recorded with its summary and sends nothing."""
    consultation = lock_consultation(consultation.pk)
    ensure_may_work_on(actor=advisor, consultation=consultation)
    _ensure_reachable(consultation=consultation)
    if consultation.status not in Consultation.ACTIVE_STATUSES:
        raise ValidationError(
            _("Meetings are logged once an advisor is assigned and until it closes.")
        )
    meeting = Meeting(
        consultation=consultation,
        advisor=advisor,
        starts_at=starts_at,
        duration=duration,
        mode=mode,
        location_or_link=location_or_link.strip(),
        summary=summary.strip(),
    )
    meeting.full_clean()
    meeting.save()
    _record_first_response(consultation=consultation)
    if meeting.starts_at > timezone.now():
        _send_invitation(meeting=meeting, consultation=consultation)
    return meeting


def _lock_scheduled_meeting(*, meeting: Meeting, actor) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("consultation", "advisor")
        .get(pk=meeting.pk)
    )
    ensure_may_work_on(actor=actor, consultation=meeting.consultation)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("This meeting was cancelled."))
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    actor: AbstractBaseUser,
    starts_at: datetime,
    duration: timedelta | None = None,
    location_or_link: str | None = None,
) -> Meeting:
    """Move a meeting; the organization's calendar updates the same event."""
    meeting = _lock_scheduled_meeting(meeting=meeting, actor=actor)
    _ensure_reachable(consultation=meeting.consultation)
    if starts_at <= timezone.now():
        raise ValidationError(_("Choose a time in the future."))
    meeting.starts_at = starts_at
    if duration is not None:
        meeting.duration = duration
    if location_or_link is not None:
        meeting.location_or_link = location_or_link.strip()
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save(
        update_fields=[
            "starts_at",
            "duration",
            "location_or_link",
            "sequence",
            "updated_at",
        ]
    )
    _send_invitation(meeting=meeting, consultation=meeting.consultation)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: AbstractBaseUser) -> Meeting:
    """Cancel a meeting; a future one is removed from the organization's
    calendar with METHOD:CANCEL."""
    meeting = _lock_scheduled_meeting(meeting=meeting, actor=actor)
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    consultation = meeting.consultation
    if meeting.starts_at > timezone.now() and consultation.anonymized_at is None:
        _send_invitation(meeting=meeting, consultation=consultation, cancel=True)
    return meeting
