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
    staff_language,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue
from consultations.services.workflow import lock_consultation
from shatil_portal.people import display_name

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


def meeting_advisor(*, meeting: Meeting, consultation: Consultation):
    """Who holds the meeting and organizes its invitation: the request's
    assigned advisor, else whoever logged the meeting, if active with an
    email address; None leaves the staff inbox as the organizer."""
    candidates = (consultation.advisor, meeting.advisor)
    for person in candidates:
        if person is not None and person.is_active and person.email:
            return person
    return None


def meeting_ics(
    *,
    meeting: Meeting,
    consultation: Consultation,
    cancel: bool,
    for_advisor: bool = False,
    discreet: bool = False,
) -> str:
    """The invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL).

    The advisor who holds the meeting is its ORGANIZER, and an ATTENDEE who
    has accepted (the chair), so that the invitation lands in the advisor's
    calendar and the organization's answer goes to the advisor; the
    organization's contact is the attendee asked to answer. The advisor's
    copy (`for_advisor`) differs only by its summary, in the advisor's
    language. A `discreet` copy, emailed to the advisor of a crisis request,
    names neither the contact nor the place (staff_summary's rule); the
    workspace's download, behind sign-in, has both. The UID never changes
    and SEQUENCE grows with each version, so calendar programs update or
    remove the event they already hold, on both sides. Times carry the
    Asia/Jerusalem zone with its VTIMEZONE.
    """
    advisor = meeting_advisor(meeting=meeting, consultation=consultation)
    reference = {"reference": consultation.reference}
    if for_advisor:
        with translation.override(staff_language(user=advisor)):
            summary = _("Consultation meeting (%(reference)s)") % reference
    else:
        with translation.override(consultation.preferred_language):
            summary = _("Consultation with Shatil (%(reference)s)") % reference
    starts_at = meeting.starts_at.astimezone(ISRAEL_TZ)
    attendee = icalendar.vCalAddress(f"mailto:{consultation.contact_email}")
    attendee.params["CN"] = icalendar.vText(consultation.contact_name)
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    if not cancel:
        attendee.params["RSVP"] = icalendar.vText("TRUE")
    attendees = [] if discreet else [attendee]
    if advisor is not None:
        organizer = icalendar.vCalAddress(f"mailto:{advisor.email}")
        organizer.params["CN"] = icalendar.vText(display_name(advisor))
        chair = icalendar.vCalAddress(f"mailto:{advisor.email}")
        chair.params["CN"] = icalendar.vText(display_name(advisor))
        chair.params["ROLE"] = icalendar.vText("CHAIR")
        chair.params["PARTSTAT"] = icalendar.vText("ACCEPTED")
        attendees.append(chair)
    else:
        organizer = icalendar.vCalAddress(f"mailto:{settings.STAFF_INBOX_EMAIL}")
        organizer.params["CN"] = icalendar.vText(_("Shatil"))
    event = icalendar.Event.new(
        uid=meeting.ics_uid,
        sequence=meeting.sequence,
        stamp=timezone.now(),
        start=starts_at,
        end=starts_at + meeting.duration,
        summary=summary,
        location=None if discreet else meeting.location_or_link,
        organizer=organizer,
        attendees=attendees,
        status=(
            icalendar.enums.STATUS.CANCELLED
            if cancel
            else icalendar.enums.STATUS.CONFIRMED
        ),
    )
    if (
        not discreet
        and meeting.mode == Meeting.Mode.ONLINE
        and meeting.location_or_link.startswith(("https://", "http://"))
    ):
        event.add("url", meeting.location_or_link)
    calendar = icalendar.Calendar.new(
        prodid="-//Shatil//Consultation portal//EN",
        method="CANCEL" if cancel else "REQUEST",
        subcomponents=[event],
    )
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def meeting_details(*, meeting: Meeting, language: str) -> dict:
    """What every email about a meeting says of it, in `language`."""
    return {
        "when": format_local(moment=meeting.starts_at, language=language),
        "duration_minutes": int(meeting.duration.total_seconds() // 60),
        "mode": meeting.mode,
        "location_or_link": meeting.location_or_link,
    }


def meeting_advisor_context(
    *, meeting: Meeting, consultation: Consultation, language: str
) -> dict:
    """What an email to the advisor about a meeting says, in `language`:
    its time and a link to the request, and the place unless the request
    is a crisis one (staff_summary, the one place of that rule)."""
    details = meeting_details(meeting=meeting, language=language)
    place = {"location_or_link": details.pop("location_or_link")}
    return {
        "url": workspace_request_url(consultation=consultation, language=language),
        **details,
        **staff_summary(consultation, language, **place),
    }


def _send_invitation(
    *, meeting: Meeting, consultation: Consultation, cancel: bool = False
) -> None:
    """The invitation, its new version or its cancellation, to both sides:
    the organization in its language, and the advisor who holds the meeting
    in theirs (staff_language), with the same UID and SEQUENCE."""
    language = consultation.preferred_language
    version = {
        "is_update": meeting.sequence > 0 and not cancel,
        "is_cancelled": cancel,
        "ics_method": "CANCEL" if cancel else "REQUEST",
    }
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.MEETING_INVITATION,
        dedup_key=f"meeting:{meeting.uid}:{meeting.sequence}",
        advisor_first_name=meeting.advisor.first_name if meeting.advisor else "",
        ics=meeting_ics(meeting=meeting, consultation=consultation, cancel=cancel),
        **meeting_details(meeting=meeting, language=language),
        **version,
    )
    advisor = meeting_advisor(meeting=meeting, consultation=consultation)
    if advisor is None:
        return
    advisor_language = staff_language(user=advisor)
    outbox_enqueue(
        kind=OutboundEmail.Kind.MEETING_INVITATION_TO_ADVISOR,
        to_address=advisor.email,
        dedup_key=f"meeting_advisor:{meeting.uid}:{meeting.sequence}",
        language=advisor_language,
        consultation=consultation,
        context={
            "ics": meeting_ics(
                meeting=meeting,
                consultation=consultation,
                cancel=cancel,
                for_advisor=True,
                discreet=consultation.is_crisis,
            ),
            **meeting_advisor_context(
                meeting=meeting, consultation=consultation, language=advisor_language
            ),
            **version,
        },
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
