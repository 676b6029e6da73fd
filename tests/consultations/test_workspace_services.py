"""Notes, messages to the organization and meetings with their calendar
invitations (UID kept, SEQUENCE counted, METHOD:CANCEL on cancel)."""

from datetime import datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import ISRAEL_TZ
from consultations.models import Consultation, Meeting, Message, OutboundEmail
from consultations.services.workspace import (
    consultation_message_organization,
    internal_note_add,
    meeting_cancel,
    meeting_reschedule,
    meeting_schedule,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture
def assigned(advisor):
    """A request assigned before any contact (first response still open)."""
    return ConsultationFactory(history=False, status=Status.ASSIGNED, advisor=advisor)


def _next_week_at(hour):
    day = (timezone.now() + timedelta(days=7)).astimezone(ISRAEL_TZ).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ISRAEL_TZ)


def _schedule(consultation, advisor, **overrides):
    fields = {
        "consultation": consultation,
        "advisor": advisor,
        "starts_at": _next_week_at(10),
        "duration": timedelta(minutes=60),
        "mode": Meeting.Mode.ONLINE,
        "location_or_link": "https://meet.example.org/shatil",
        "summary": "Agenda: mapping the decision makers.",
    }
    fields.update(overrides)
    return meeting_schedule(**fields)


def _calendar(row: OutboundEmail) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(row.context["ics"])


def test_a_note_is_kept_for_staff_and_sends_nothing(assigned, advisor):
    note = internal_note_add(consultation=assigned, author=advisor, body=" Called. ")

    assert note.body == "Called."
    assert not OutboundEmail.objects.exists()
    assigned.refresh_from_db()
    assert assigned.first_responded_at is None


def test_an_empty_note_is_refused(assigned, advisor):
    with pytest.raises(ValidationError):
        internal_note_add(consultation=assigned, author=advisor, body="  ")


def test_a_message_is_stored_emailed_and_answers_the_request(
    assigned, advisor, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = consultation_message_organization(
            consultation=assigned, author=advisor, body="When can we meet?"
        )

    assert message.direction == Message.Direction.TO_ORGANIZATION
    (email,) = mail.outbox
    assert email.to == [assigned.contact_email]
    assert email.reply_to == [advisor.email]
    assert "When can we meet?" in email.body
    assigned.refresh_from_db()
    assert assigned.first_responded_at is not None


def test_each_message_is_its_own_email(assigned, advisor):
    for body in ("First.", "First."):
        consultation_message_organization(
            consultation=assigned, author=advisor, body=body
        )

    assert OutboundEmail.objects.filter(kind="message_to_org").count() == 2


def test_another_advisor_cannot_message_the_organization(assigned, other_advisor):
    with pytest.raises(PermissionDenied):
        consultation_message_organization(
            consultation=assigned, author=other_advisor, body="Hello"
        )
    assert not Message.objects.exists()


def test_a_withdrawn_request_cannot_be_messaged(advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.WITHDRAWN, advisor=advisor
    )

    with pytest.raises(ValidationError):
        consultation_message_organization(
            consultation=consultation, author=advisor, body="Hello"
        )


def test_a_meeting_ahead_sends_an_invitation_in_israel_time(
    assigned, advisor, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(assigned, advisor)

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.MEETING_INVITATION)
    calendar = _calendar(row)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.uid}@shatil-portal"
    assert event["SEQUENCE"] == 0
    assert event.start == _next_week_at(10)
    assert event.start.tzinfo.key == "Asia/Jerusalem"
    assert event.end - event.start == timedelta(hours=1)
    assert "Asia/Jerusalem" in row.context["ics"]
    assert "BEGIN:VTIMEZONE" in row.context["ics"]
    assert f"mailto:{assigned.contact_email}" in [str(a) for a in event["ATTENDEE"]]
    assert str(event["LOCATION"]) == "https://meet.example.org/shatil"

    (email,) = [sent for sent in mail.outbox if sent.to == [assigned.contact_email]]
    (attachment,) = email.attachments
    assert attachment[0] == "invitation.ics"
    assert "method=REQUEST" in attachment[2]
    assigned.refresh_from_db()
    assert assigned.first_responded_at is not None


def test_a_meeting_already_held_is_logged_without_an_invitation(assigned, advisor):
    _schedule(assigned, advisor, starts_at=timezone.now() - timedelta(days=1))

    assert not OutboundEmail.objects.exists()
    assigned.refresh_from_db()
    assert assigned.first_responded_at is not None


def test_a_meeting_needs_an_assigned_open_request(advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.COMPLETED, advisor=advisor
    )

    with pytest.raises(ValidationError):
        _schedule(consultation, advisor)
    assert not Meeting.objects.exists()


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(assigned, advisor):
    meeting = _schedule(assigned, advisor)

    meeting_reschedule(meeting=meeting, actor=advisor, starts_at=_next_week_at(15))
    meeting_reschedule(meeting=meeting, actor=advisor, starts_at=_next_week_at(16))

    rows = OutboundEmail.objects.filter(kind="meeting").order_by("pk")
    events = [_calendar(row).walk("VEVENT")[0] for row in rows]
    assert [event["SEQUENCE"] for event in events] == [0, 1, 2]
    assert len({str(event["UID"]) for event in events}) == 1
    assert events[-1].start == _next_week_at(16)
    assert rows.last().context["is_update"] is True


def test_rescheduling_into_the_past_is_refused(assigned, advisor):
    meeting = _schedule(assigned, advisor)

    with pytest.raises(ValidationError):
        meeting_reschedule(
            meeting=meeting,
            actor=advisor,
            starts_at=timezone.now() - timedelta(hours=1),
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_cancelling_sends_method_cancel_with_the_next_sequence(
    assigned, advisor, eager_celery, django_capture_on_commit_callbacks
):
    meeting = _schedule(assigned, advisor)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, actor=advisor)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    row = OutboundEmail.objects.filter(kind="meeting").order_by("pk").last()
    calendar = _calendar(row)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == meeting.ics_uid
    cancellation = mail.outbox[-1]
    assert "method=CANCEL" in cancellation.attachments[0][2]
    with translation.override(row.language):
        expected = _("Meeting cancelled: request %(reference)s") % {
            "reference": meeting.consultation.reference
        }
    assert cancellation.subject == expected


def test_a_cancelled_meeting_cannot_be_cancelled_or_moved_again(assigned, advisor):
    meeting = _schedule(assigned, advisor)
    meeting_cancel(meeting=meeting, actor=advisor)

    with pytest.raises(ValidationError):
        meeting_cancel(meeting=meeting, actor=advisor)
    with pytest.raises(ValidationError):
        meeting_reschedule(meeting=meeting, actor=advisor, starts_at=_next_week_at(9))


# The advisor's own invitation (issue 19, item 18) ----------------------------


def _attendees(event) -> dict[str, dict]:
    """mailto address -> the attendee's parameters."""
    values = event["ATTENDEE"]
    values = values if isinstance(values, list) else [values]
    return {str(value): dict(value.params) for value in values}


def test_the_advisor_organizes_the_meeting_and_the_organization_is_asked(
    assigned, advisor
):
    """ORGANIZER is the assigned advisor, by name; the organization's
    contact is the attendee asked to answer, and the advisor attends as the
    chair who accepted, so the event is in both calendars."""
    _schedule(assigned, advisor)

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.MEETING_INVITATION)
    (event,) = _calendar(row).walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{advisor.email}"
    assert event["ORGANIZER"].params["CN"] == advisor.get_full_name()
    attendees = _attendees(event)
    contact = attendees[f"mailto:{assigned.contact_email}"]
    assert (contact["ROLE"], contact["RSVP"]) == ("REQ-PARTICIPANT", "TRUE")
    chair = attendees[f"mailto:{advisor.email}"]
    assert (chair["ROLE"], chair["PARTSTAT"]) == ("CHAIR", "ACCEPTED")


def test_the_advisor_gets_an_invitation_of_their_own_in_their_language(
    assigned, make_advisor, eager_celery, django_capture_on_commit_callbacks
):
    """An Arabic-speaking advisor's invitation is in Arabic, to the
    advisor's address, with the same event (UID, SEQUENCE) as the
    organization's and a link to the workspace in Arabic."""
    advisor = make_advisor(first_name="Omar", preferred_language="ar")
    assigned.advisor = advisor
    assigned.save(update_fields=["advisor"])

    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(assigned, advisor)

    row = OutboundEmail.objects.get(
        kind=OutboundEmail.Kind.MEETING_INVITATION_TO_ADVISOR
    )
    assert (row.to_address, row.language) == (advisor.email, "ar")
    assert row.dedup_key == f"meeting_advisor:{meeting.uid}:0"
    assert "/ar/workspace/" in row.context["url"]
    (event,) = _calendar(row).walk("VEVENT")
    assert str(event["UID"]) == meeting.ics_uid
    assert event["SEQUENCE"] == 0
    with translation.override("ar"):
        summary = _("Consultation meeting (%(reference)s)") % {
            "reference": assigned.reference
        }
    assert str(event["SUMMARY"]) == summary
    (email,) = [sent for sent in mail.outbox if sent.to == [advisor.email]]
    assert "method=REQUEST" in email.attachments[0][2]
    assert assigned.reference in email.subject


def test_moving_and_cancelling_update_the_advisors_calendar_too(assigned, advisor):
    """Each version goes to both sides with the same SEQUENCE; the
    cancellation is METHOD:CANCEL for the advisor as for the organization."""
    meeting = _schedule(assigned, advisor)
    meeting_reschedule(meeting=meeting, actor=advisor, starts_at=_next_week_at(15))
    meeting_cancel(meeting=meeting, actor=advisor)

    for kind in ("meeting", "meeting_advisor"):
        calendars = [
            _calendar(row)
            for row in OutboundEmail.objects.filter(kind=kind).order_by("pk")
        ]
        assert [c["METHOD"] for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
        events = [c.walk("VEVENT")[0] for c in calendars]
        assert [event["SEQUENCE"] for event in events] == [0, 1, 2]
        assert {str(event["UID"]) for event in events} == {meeting.ics_uid}
    advisor_rows = OutboundEmail.objects.filter(kind="meeting_advisor")
    assert {row.to_address for row in advisor_rows} == {advisor.email}


def test_without_an_advisor_the_staff_inbox_organizes_and_nobody_else_is_emailed(
    assigned, advisor, coordinator, settings
):
    """An advisor who left (inactive) is neither organizer nor emailed when
    a coordinator moves the meeting."""
    meeting = _schedule(assigned, advisor)
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])

    meeting_reschedule(meeting=meeting, actor=coordinator, starts_at=_next_week_at(15))

    latest = OutboundEmail.objects.filter(kind="meeting").order_by("pk").last()
    (event,) = _calendar(latest).walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{settings.STAFF_INBOX_EMAIL}"
    assert list(_attendees(event)) == [f"mailto:{assigned.contact_email}"]
    assert OutboundEmail.objects.filter(kind="meeting_advisor").count() == 1
