"""Retention: anonymizing a request removes its personal data everywhere and
keeps what the statistics need; the job anonymizes requests closed longer
ago than RETENTION_MONTHS."""

import datetime
import uuid

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from consultations.models import (
    Consultation,
    Feedback,
    FollowUp,
    OutboundEmail,
    StatusChange,
)
from consultations.services.feedback import feedback_invite, feedback_submit
from consultations.services.intake import (
    CoalitionMemberDetails,
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
)
from consultations.services.requester import consultation_message_from_organization
from consultations.services.retention import (
    consultation_anonymize,
    retention_anonymize_due,
)
from consultations.services.transitions import (
    consultation_assign_advisor,
    consultation_complete,
)
from consultations.services.workspace import (
    consultation_message_organization,
    internal_note_add,
    meeting_schedule,
)
from tests.consultations.followup_support import israel
from tests.factories import ConsultationFactory, catalog_track

pytestmark = pytest.mark.django_db

PERSONAL = [
    "Yehudit Unique-Name",
    "yehudit.unique@example.org",
    "501234567",
    "Director of Unique Things",
    "mornings-unique",
    "UNIQUE-GOAL",
    "UNIQUE-BACKGROUND",
    "UNIQUE-TIMING",
    "UNIQUE-POPULATION",
    "member.unique@example.org",
    "UNIQUE-MESSAGE-OUT",
    "UNIQUE-MESSAGE-IN",
    "UNIQUE-NOTE",
    "UNIQUE-MEETING-PLACE",
    "UNIQUE-MEETING-SUMMARY",
    "UNIQUE-HISTORY",
    "UNIQUE-FEEDBACK",
]

# The organization's own record is shared by its requests and describes the
# organization, not a person (DECISIONS.md: contact details live on the
# request); the request's snapshot of it loses the free text.
ORGANIZATION_RECORD = {"consultations_organization.population_served"}


def text_columns() -> list[tuple[str, str]]:
    """Every text-like column of every table in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'jsonb', 'json')
            """
        )
        return cursor.fetchall()


def tables_containing(value: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                [f"%{value}%"],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def full_history(catalog, coordinator, advisor):
    """A coalition request that went through intake, assignment, messages
    both ways, a note, a meeting, completion and feedback."""
    consultation, token = consultation_submit(
        submission_key=uuid.uuid4(),
        organization=OrganizationDetails(
            name="קואליציית בדיקה",
            kind="coalition",
            region="haifa",
            population_served="UNIQUE-POPULATION",
        ),
        contact=ContactDetails(
            name="Yehudit Unique-Name",
            email="yehudit.unique@example.org",
            role="Director of Unique Things",
            phone="+972501234567",
            preferred_contact_times="mornings-unique",
        ),
        track=catalog_track("coalition"),
        goal="UNIQUE-GOAL",
        background="UNIQUE-BACKGROUND",
        timing="UNIQUE-TIMING",
        coalition_members=[
            CoalitionMemberDetails(
                name="ארגון חבר", contact_email="member.unique@example.org"
            )
        ],
        consent=True,
    )
    consultation = consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )
    consultation_message_organization(
        consultation=consultation, author=advisor, body="UNIQUE-MESSAGE-OUT"
    )
    consultation_message_from_organization(
        consultation=consultation, body="UNIQUE-MESSAGE-IN"
    )
    note = internal_note_add(
        consultation=consultation, author=advisor, body="UNIQUE-NOTE"
    )
    LogEntry.objects.log_actions(
        user_id=coordinator.pk, queryset=[note], action_flag=CHANGE, single_object=True
    )
    meeting_schedule(
        consultation=consultation,
        advisor=advisor,
        starts_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2),
        duration=datetime.timedelta(hours=1),
        mode="in_person",
        location_or_link="UNIQUE-MEETING-PLACE",
        summary="UNIQUE-MEETING-SUMMARY",
    )
    consultation_complete(
        consultation=consultation,
        actor=advisor,
        note="UNIQUE-HISTORY",
        outcome="plan_in_place",
        outcome_note="UNIQUE-OUTCOME-NOTE",
    )
    invitation = feedback_invite(consultation=consultation)
    feedback_submit(
        feedback=invitation.feedback,
        satisfaction=5,
        reached_goal="yes",
        would_recommend=True,
        comment="UNIQUE-FEEDBACK",
    )
    consultation.refresh_from_db()
    return consultation, token


def test_no_personal_data_of_the_request_remains_in_any_table(
    full_history, coordinator
):
    """Every text column of every table is searched for the contact's name,
    email, phone and the free text, before (all found) and after (none)."""
    consultation, _token = full_history
    for value in PERSONAL:
        assert tables_containing(value), f"{value} was never stored"

    consultation_anonymize(
        consultation=consultation, actor=coordinator, reason="Data-subject request"
    )
    leftovers = {
        value: set(tables_containing(value)) - ORGANIZATION_RECORD for value in PERSONAL
    }
    assert {value: where for value, where in leftovers.items() if where} == {}


def test_statistics_still_count_the_anonymized_request(full_history, coordinator):
    """Track, dates, statuses, urgency and feedback scores stay."""
    consultation, _token = full_history
    before = Consultation.objects.filter(
        track__slug="coalition", status="completed"
    ).count()
    consultation_anonymize(consultation=consultation, actor=coordinator, reason="x")
    consultation.refresh_from_db()
    assert (
        Consultation.objects.filter(track__slug="coalition", status="completed").count()
        == before
    )
    assert consultation.submitted_at and consultation.closed_at
    assert consultation.first_responded_at is not None
    assert consultation.organization_as_submitted["kind"] == "coalition"
    feedback = Feedback.objects.get(consultation=consultation)
    assert (feedback.satisfaction, feedback.reached_goal) == (5, "yes")
    assert consultation.status_changes.count() >= 4


def test_the_status_link_stops_working(client, full_history, coordinator, settings):
    """The private status link answers 404 after anonymization."""
    settings.RATELIMIT_ENABLE = False
    consultation, token = full_history
    url = reverse("consultations:request_status", kwargs={"token": token})
    assert client.get(url).status_code == 200
    consultation_anonymize(consultation=consultation, actor=coordinator, reason="x")
    assert client.get(url).status_code == 404


def test_who_anonymized_and_why_is_recorded_once(full_history, coordinator):
    """A history row names the staff member and the reason; a second
    anonymization is refused."""
    consultation, _token = full_history
    consultation_anonymize(
        consultation=consultation, actor=coordinator, reason="Data-subject request"
    )
    change = StatusChange.objects.filter(consultation=consultation).last()
    assert change.actor == coordinator
    assert "Data-subject request" in change.note
    assert change.from_status == change.to_status == "completed"
    with pytest.raises(ValidationError):
        consultation_anonymize(
            consultation=consultation, actor=coordinator, reason="again"
        )


def test_pending_emails_and_follow_ups_are_stopped(catalog, coordinator):
    """An email not yet sent is failed rather than sent to nobody, and
    scheduled follow-ups are cancelled."""
    consultation = ConsultationFactory(status="completed", closed_at=israel(2026, 1, 1))
    email = OutboundEmail.objects.create(
        consultation=consultation,
        kind="feedback_request",
        dedup_key="x:1",
        to_address=consultation.contact_email,
        next_attempt_at=consultation.closed_at,
    )
    followup = FollowUp.objects.create(
        consultation=consultation,
        kind="feedback_request",
        scheduled_at=consultation.closed_at,
    )
    consultation_anonymize(consultation=consultation, reason="x")
    email.refresh_from_db()
    followup.refresh_from_db()
    assert (email.status, email.to_address) == ("failed", "")
    assert followup.status == "cancelled"


@time_machine.travel(israel(2026, 11, 29, 3, 30), tick=False)
def test_the_job_anonymizes_requests_closed_before_the_retention_period(
    catalog, settings
):
    """With 24 months, a request closed on 28 Nov 2024 goes, one closed on
    30 Nov 2024 stays, and open requests stay whatever their age; a second
    run changes nothing."""
    settings.RETENTION_MONTHS = 24
    old = ConsultationFactory(status="declined", closed_at=israel(2024, 11, 28))
    recent = ConsultationFactory(status="completed", closed_at=israel(2024, 11, 30))
    still_open = ConsultationFactory(
        status="in_progress", submitted_at=israel(2023, 1, 1)
    )
    assert retention_anonymize_due() == 1
    assert retention_anonymize_due() == 0
    for consultation in (old, recent, still_open):
        consultation.refresh_from_db()
    assert old.anonymized_at is not None and old.contact_email == ""
    assert recent.anonymized_at is None and still_open.anonymized_at is None
    history = StatusChange.objects.filter(consultation=old, note__contains="24")
    assert history.count() == 1 and history.get().actor is None


def test_staff_anonymize_from_the_admin_after_confirming(client, catalog, coordinator):
    """The admin action asks for a reason and a confirmation first."""
    consultation = ConsultationFactory(status="withdrawn", closed_at=israel(2026, 5, 1))
    client.force_login(coordinator)
    url = reverse("admin:consultations_consultation_changelist") + "?state=closed"
    data = {"action": "anonymize_selected", ACTION_CHECKBOX_NAME: [consultation.pk]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.templates[0].name == (
        "admin/consultations/consultation/anonymize.html"
    )
    assert consultation.reference.encode() in response.content
    consultation.refresh_from_db()
    assert consultation.anonymized_at is None

    response = client.post(
        url, {**data, "confirm": "1", "reason": "Data-subject request"}, follow=True
    )
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert consultation.anonymized_at is not None
    assert consultation.status_changes.last().actor == coordinator
