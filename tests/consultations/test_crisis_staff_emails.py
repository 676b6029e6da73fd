"""An email to staff about a crisis request carries its reference and a
link, never the organization's or the contact's details (DECISIONS.md,
"People and permissions"): every kind of staff email, rendered for a crisis
request as the services queue it, in its subject, text and HTML."""

import datetime
import uuid

import pytest
from django.utils import timezone

from consultations.business_time import ISRAEL_TZ, business_morning, to_local
from consultations.emails import build_message
from consultations.models import (
    Consultation,
    Meeting,
    Organization,
    OutboundEmail,
    PlanStep,
    WorkPlan,
)
from consultations.services.followups import (
    first_response_followups_run,
    meeting_reminders_run,
    plan_step_followups_run,
    waiting_nudges_run,
    weekly_digest_send,
)
from consultations.services.followups.plan_steps import step_overdue_day
from consultations.services.intake import (
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
)
from consultations.services.requester import (
    consultation_message_from_organization,
    consultation_withdraw,
)
from consultations.services.transitions import (
    consultation_assign_advisor,
    consultation_wait_for_organization,
)
from consultations.services.workspace import meeting_schedule
from tests.factories import catalog_track

pytestmark = pytest.mark.django_db

Kind = OutboundEmail.Kind
STAFF_KINDS = {
    Kind.STAFF_NEW_REQUEST,
    Kind.MESSAGE_TO_STAFF,
    Kind.WITHDRAWN,
    Kind.ASSIGNMENT_TO_ADVISOR,
    Kind.RESPONSE_REMINDER,
    Kind.RESPONSE_ESCALATION,
    Kind.WAITING_ADVISOR,
    Kind.WEEKLY_DIGEST,
    Kind.MEETING_INVITATION_TO_ADVISOR,
    Kind.MEETING_REMINDER_TO_ADVISOR,
    Kind.STEP_DUE_ADVISOR,
    Kind.STEP_OVERDUE,
}
ORGANIZATION = "Amutat Sodit Letzedek"
CONTACT = "Yael Nistara"
EMAIL = "yael.nistara@example.org"
PHONE = "+972501234567"
GOAL = "Shelter for families displaced by the fire"
BACKGROUND = "Three hundred people slept in the school gym"
TIMING = "Before the council meets on Sunday"
BODY = "Our shelter address is Rehov HaSod 7"
REASON = "The mayor's office took it over"
STEP = "Visit the displaced families at the gym"
PERSONAL = [ORGANIZATION, CONTACT, EMAIL, PHONE, GOAL, BACKGROUND, TIMING, BODY]


def _crisis_request() -> Consultation:
    consultation, _token = consultation_submit(
        submission_key=uuid.uuid4(),
        organization=OrganizationDetails(
            name=ORGANIZATION, kind=Organization.Kind.GRASSROOTS, region="south"
        ),
        contact=ContactDetails(
            name=CONTACT, email=EMAIL, phone=PHONE, preferred_language="he"
        ),
        track=catalog_track("crisis"),
        goal=GOAL,
        background=BACKGROUND,
        timing=TIMING,
        consent=True,
    )
    assert consultation.is_crisis
    return consultation


def _rendered(email: OutboundEmail) -> str:
    message = build_message(email)
    html = "".join(content for content, _type in message.alternatives)
    return "\n".join([message.subject, message.body, html])


def test_no_staff_email_about_a_crisis_request_carries_personal_data(
    catalog, settings, coordinator, advisor
):
    """Intake, the organization's message and withdrawal, the assignment,
    the reminder, the escalation, the silent-organization note, the weekly
    digest and the work plan's reminders: each names the reference, none a
    personal detail."""
    settings.STAFF_INBOX_EMAIL = "staff@shatil.example"
    coordinator.email = "coordinator@shatil.example"
    coordinator.save()
    consultation = _crisis_request()
    due = consultation.first_response_due_at
    consultation_message_from_organization(consultation=consultation, body=BODY)
    first_response_followups_run(now=due - datetime.timedelta(minutes=1))
    first_response_followups_run(now=due + datetime.timedelta(minutes=1))
    weekly_digest_send(now=due + datetime.timedelta(minutes=1))

    consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )
    # A meeting at the shelter: the advisor's invitation and reminder (and
    # the calendar file attached) name neither the place nor the contact.
    day = (timezone.now() + datetime.timedelta(days=14)).astimezone(ISRAEL_TZ)
    starts_at = day.replace(hour=10, minute=0, second=0, microsecond=0)
    meeting_schedule(
        consultation=consultation,
        advisor=advisor,
        starts_at=starts_at,
        duration=datetime.timedelta(hours=1),
        mode=Meeting.Mode.IN_PERSON,
        location_or_link=BODY,
    )
    meeting_reminders_run(now=starts_at - datetime.timedelta(hours=1))
    consultation_wait_for_organization(
        consultation=consultation, actor=advisor, note="The board's decision, please."
    )
    waiting_nudges_run(now=due + datetime.timedelta(days=60))
    plan = WorkPlan.objects.create(consultation=consultation, goal=GOAL)
    step_due = to_local(moment=due).date() + datetime.timedelta(days=1)
    for order, owner in enumerate(["organization", "advisor"], start=1):
        PlanStep.objects.create(
            plan=plan, order=order, title=STEP, owner=owner, due_date=step_due
        )
    plan_step_followups_run(
        now=business_morning(day=step_overdue_day(due_date=step_due))
        + datetime.timedelta(hours=1)
    )
    consultation_withdraw(consultation=consultation, reason=REASON)

    emails = OutboundEmail.objects.filter(kind__in=STAFF_KINDS)
    assert {email.kind for email in emails} == STAFF_KINDS
    for email in emails:
        text = _rendered(email) + email.context.get("ics", "")
        assert consultation.reference in text, email.kind
        for detail in [*PERSONAL, REASON, STEP]:
            assert detail not in text, (email.kind, detail)
