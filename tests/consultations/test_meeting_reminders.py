"""A business day before a meeting, both sides get a reminder: the
organization's contact in its language, the advisor in theirs. Once per
version of the meeting; none for a cancelled meeting; a moved meeting is
reminded again before its new time. The business day is Israel's: a
Sunday meeting is reminded on Thursday, and holidays and their eves are
skipped."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from consultations.business_time import ISRAEL_TZ
from consultations.models import Consultation, Meeting, OutboundEmail
from consultations.services.followups import meeting_reminder_at, meeting_reminders_run
from consultations.services.workspace import (
    meeting_cancel,
    meeting_reschedule,
    meeting_schedule,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

REMINDERS = (
    OutboundEmail.Kind.MEETING_REMINDER,
    OutboundEmail.Kind.MEETING_REMINDER_TO_ADVISOR,
)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ISRAEL_TZ)


def morning(year, month, day) -> datetime:
    return local(year, month, day, settings.FOLLOWUP_WORKDAY_START_HOUR)


@pytest.fixture
def advisor(make_advisor):
    return make_advisor(first_name="Omar", preferred_language="ar")


@pytest.fixture
def consultation(advisor):
    return ConsultationFactory(
        history=False,
        status=Consultation.Status.IN_PROGRESS,
        advisor=advisor,
        preferred_language="he",
    )


def schedule(consultation, advisor, starts_at, *, on):
    with time_machine.travel(on, tick=False):
        return meeting_schedule(
            consultation=consultation,
            advisor=advisor,
            starts_at=starts_at,
            duration=timedelta(hours=1),
            mode=Meeting.Mode.IN_PERSON,
            location_or_link="Shatil, 9 Yad Harutzim, Jerusalem",
        )


def reminders():
    return OutboundEmail.objects.filter(kind__in=REMINDERS).order_by("pk")


def test_a_sunday_meeting_is_reminded_on_thursday_morning(consultation, advisor):
    """Friday and Saturday are not business days: the business day before
    Sunday 7 March 2027 is Thursday the 4th, from its morning on."""
    meeting = schedule(
        consultation, advisor, local(2027, 3, 7, 11), on=local(2027, 3, 1, 12)
    )

    assert meeting_reminder_at(meeting=meeting) == morning(2027, 3, 4)
    assert meeting_reminders_run(now=morning(2027, 3, 4) - timedelta(minutes=1)) == 0
    assert not reminders().exists()

    assert meeting_reminders_run(now=morning(2027, 3, 4)) == 1

    organization, to_advisor = reminders()
    assert (organization.kind, organization.to_address, organization.language) == (
        OutboundEmail.Kind.MEETING_REMINDER,
        consultation.contact_email,
        "he",
    )
    assert (to_advisor.to_address, to_advisor.language) == (advisor.email, "ar")
    assert "/ar/workspace/" in to_advisor.context["url"]
    assert organization.reply_to == advisor.email


def test_a_meeting_after_passover_is_reminded_before_the_holiday_and_its_eve(
    consultation, advisor
):
    """Sunday 25 April 2027 follows the first day of Passover (Thursday the
    22nd) and its eve (Wednesday the 21st): the reminder goes out on Tuesday
    the 20th."""
    meeting = schedule(
        consultation, advisor, local(2027, 4, 25, 10), on=local(2027, 4, 12, 12)
    )

    assert meeting_reminder_at(meeting=meeting) == morning(2027, 4, 20)
    assert meeting_reminders_run(now=morning(2027, 4, 19)) == 0
    assert meeting_reminders_run(now=morning(2027, 4, 20)) == 1


def test_each_side_is_reminded_exactly_once(consultation, advisor):
    """Runs after the first (a retry, the next quarter hour, the next
    morning) send nothing more."""
    schedule(consultation, advisor, local(2027, 3, 9, 10), on=local(2027, 3, 1, 12))

    counts = [
        meeting_reminders_run(now=moment)
        for moment in (
            morning(2027, 3, 8),
            morning(2027, 3, 8),
            morning(2027, 3, 8) + timedelta(minutes=15),
            morning(2027, 3, 9),
        )
    ]

    assert counts == [1, 0, 0, 0]
    assert reminders().count() == 2


def test_a_cancelled_meeting_is_not_reminded(consultation, advisor):
    meeting = schedule(
        consultation, advisor, local(2027, 3, 9, 10), on=local(2027, 3, 1, 12)
    )
    with time_machine.travel(local(2027, 3, 2, 12), tick=False):
        meeting_cancel(meeting=meeting, actor=advisor)

    assert meeting_reminders_run(now=morning(2027, 3, 8)) == 0
    assert not reminders().exists()


def test_a_moved_meeting_is_reminded_again_before_its_new_time(consultation, advisor):
    """Reminded for Tuesday, then moved to the next Tuesday: a second pair
    of reminders, keyed by the new version, a business day before."""
    meeting = schedule(
        consultation, advisor, local(2027, 3, 9, 10), on=local(2027, 3, 1, 12)
    )
    assert meeting_reminders_run(now=morning(2027, 3, 8)) == 1
    with time_machine.travel(local(2027, 3, 8, 12), tick=False):
        meeting_reschedule(
            meeting=meeting, actor=advisor, starts_at=local(2027, 3, 16, 10)
        )

    assert meeting_reminders_run(now=morning(2027, 3, 14)) == 0
    assert meeting_reminders_run(now=morning(2027, 3, 15)) == 1

    assert [row.dedup_key for row in reminders()] == [
        f"meeting_reminder:{meeting.uid}:0",
        f"meeting_reminder_advisor:{meeting.uid}:0",
        f"meeting_reminder:{meeting.uid}:1",
        f"meeting_reminder_advisor:{meeting.uid}:1",
    ]
    assert reminders().last().context["when"].startswith("16")


def test_a_meeting_set_after_its_reminder_was_due_gets_only_its_invitation(
    consultation, advisor
):
    """Set on Monday afternoon for Tuesday: the invitation has just gone
    out, so no reminder follows it."""
    schedule(consultation, advisor, local(2027, 3, 9, 10), on=local(2027, 3, 8, 15))

    assert meeting_reminders_run(now=local(2027, 3, 8, 15, 15)) == 0
    assert meeting_reminders_run(now=morning(2027, 3, 9)) == 0
    assert not reminders().exists()


def test_the_reminders_render_in_each_sides_language(consultation, advisor):
    """Both emails build: the organization's in Hebrew with the place, the
    advisor's in Arabic with the link to the request."""
    from consultations.emails import build_message

    schedule(consultation, advisor, local(2027, 3, 9, 10), on=local(2027, 3, 1, 12))
    meeting_reminders_run(now=morning(2027, 3, 8))

    organization, to_advisor = (build_message(row) for row in reminders())
    assert consultation.reference in organization.subject
    assert "Yad Harutzim" in organization.body
    assert to_advisor.to == [advisor.email]
    assert "/ar/workspace/" in to_advisor.body
