"""Completing a request records what it achieved: one rule in the service,
the same on the advisor's workspace, the admin page and the admin's bulk
action. Without an outcome nothing changes, the message says why, and the
note as typed is kept."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation, ConsultationOutcome, StatusChange
from consultations.services import transitions
from consultations.services.retention import consultation_anonymize
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
NOTE = "הוועדה אישרה את התקציב לשנה הבאה"


@pytest.fixture
def in_progress(catalog, advisor):
    return ConsultationFactory(
        history=False,
        status=Status.IN_PROGRESS,
        advisor=advisor,
        first_responded_at=timezone.now(),
    )


def test_completion_records_the_outcome_who_and_when(in_progress, advisor):
    transitions.consultation_complete(
        consultation=in_progress,
        actor=advisor,
        outcome="policy_adopted",
        outcome_note=f"  {NOTE}\u202e ",
    )
    outcome = ConsultationOutcome.objects.get(consultation=in_progress)
    assert (outcome.kind, outcome.note, outcome.recorded_by) == (
        "policy_adopted",
        NOTE,
        advisor,
    )
    change = StatusChange.objects.get(consultation=in_progress)
    assert (change.to_status, change.actor) == (Status.COMPLETED, advisor)


@pytest.mark.parametrize("outcome", ["", "policy", None])
def test_completion_without_a_known_outcome_is_refused_and_changes_nothing(
    in_progress, advisor, outcome, english
):
    with pytest.raises(ValidationError) as error:
        transitions.consultation_change_status(
            consultation=in_progress,
            to_status=Status.COMPLETED,
            actor=advisor,
            outcome=outcome or "",
        )
    assert error.value.messages == [
        "Choose what the consultation achieved before completing the request "
        "(“Nothing yet” is an answer too)."
    ]
    in_progress.refresh_from_db()
    assert in_progress.status == Status.IN_PROGRESS
    assert not ConsultationOutcome.objects.exists()


def test_a_long_note_is_refused(in_progress, advisor):
    with pytest.raises(ValidationError):
        transitions.consultation_complete(
            consultation=in_progress,
            actor=advisor,
            outcome="nothing_yet",
            outcome_note="x" * 501,
        )
    assert not ConsultationOutcome.objects.exists()


def _workspace_complete(consultation):
    with translation.override("he"):
        return reverse("workspace:complete", kwargs={"pk": consultation.pk})


def test_the_workspace_refuses_completion_without_an_outcome_and_keeps_the_note(
    client, advisor, in_progress
):
    """In Hebrew: the page comes back with the message beside the choice,
    and the note as typed."""
    client.force_login(advisor)
    response = client.post(
        _workspace_complete(in_progress),
        {"complete-outcome_note": NOTE, "complete-version": in_progress.version},
    )
    assert response.status_code == 400
    content = response.content.decode()
    with translation.override("he"):
        message = translation.gettext(
            "Choose what the consultation achieved before completing the "
            "request (“Nothing yet” is an answer too)."
        )
    assert message != "" and message in content
    assert NOTE in content
    in_progress.refresh_from_db()
    assert in_progress.status == Status.IN_PROGRESS


def test_the_workspace_completes_with_the_outcome(client, advisor, in_progress):
    client.force_login(advisor)
    response = client.post(
        _workspace_complete(in_progress),
        {
            "complete-outcome": "decision_changed",
            "complete-outcome_note": NOTE,
            "complete-version": in_progress.version,
        },
    )
    assert response.status_code == 302
    in_progress.refresh_from_db()
    assert in_progress.status == Status.COMPLETED
    assert in_progress.outcome.kind == "decision_changed"


def test_the_admin_status_button_asks_for_the_outcome(
    admin_client, in_progress, english
):
    status_url = reverse(
        "admin:consultations_consultation_status", args=[in_progress.pk]
    )
    complete_url = reverse(
        "admin:consultations_consultation_complete", args=[in_progress.pk]
    )
    response = admin_client.post(status_url, {"to_status": "completed"})
    assert response["Location"] == complete_url
    page = admin_client.get(complete_url)
    assert page.status_code == 200
    assert 'name="complete-outcome"' in page.content.decode()

    refused = admin_client.post(
        complete_url,
        {"complete-outcome_note": NOTE, "complete-version": in_progress.version},
    )
    assert refused.status_code == 400
    assert NOTE in refused.content.decode()
    assert "Choose what the consultation achieved" in refused.content.decode()

    admin_client.post(
        complete_url,
        {"complete-outcome": "plan_in_place", "complete-version": in_progress.version},
    )
    in_progress.refresh_from_db()
    assert in_progress.status == Status.COMPLETED
    assert in_progress.outcome.kind == "plan_in_place"


def test_the_admin_refuses_the_outcome_page_for_a_request_that_cannot_complete(
    admin_client, catalog
):
    new = ConsultationFactory(history=False)
    response = admin_client.get(
        reverse("admin:consultations_consultation_complete", args=[new.pk]),
        follow=True,
    )
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_the_admin_bulk_action_asks_for_one_outcome_for_all(
    admin_client, catalog, advisor
):
    requests = [
        ConsultationFactory(history=False, status=Status.IN_PROGRESS, advisor=advisor)
        for _ in range(2)
    ]
    changelist = reverse("admin:consultations_consultation_changelist")
    selected = {
        "action": "complete",
        ACTION_CHECKBOX_NAME: [request.pk for request in requests],
    }
    asked = admin_client.post(changelist, selected)
    assert asked.status_code == 200
    assert 'name="complete-outcome"' in asked.content.decode()
    refused = admin_client.post(
        changelist, {**selected, "apply": "1", "complete-outcome_note": NOTE}
    )
    assert NOTE in refused.content.decode()
    assert not ConsultationOutcome.objects.exists()
    admin_client.post(
        changelist, {**selected, "apply": "1", "complete-outcome": "skills_gained"}
    )
    assert sorted(ConsultationOutcome.objects.values_list("kind", flat=True)) == [
        "skills_gained",
        "skills_gained",
    ]


def test_anonymization_erases_the_note_and_keeps_the_kind(
    in_progress, advisor, coordinator
):
    transitions.consultation_complete(
        consultation=in_progress,
        actor=advisor,
        outcome="policy_adopted",
        outcome_note=NOTE,
    )
    consultation_anonymize(consultation=in_progress, actor=coordinator, reason="ask")
    outcome = ConsultationOutcome.objects.get(consultation=in_progress)
    assert outcome.kind == "policy_adopted"
    assert NOTE not in outcome.note


def test_the_workspace_page_shows_the_outcome_at_no_extra_query(
    client, advisor, in_progress, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(advisor)
    url = reverse("workspace:request_detail", kwargs={"pk": in_progress.pk})
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    transitions.consultation_complete(
        consultation=in_progress,
        actor=advisor,
        outcome="skills_gained",
        outcome_note=NOTE,
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    content = response.content.decode()
    assert 'id="outcome"' in content
    assert NOTE in content


@pytest.mark.parametrize(
    ("taken_before", "invitation"),
    [
        (True, "מלאו אותו פעם נוספת וראו כמה הארגון שלכם צמח"),
        (False, "אתם מוזמנים למלא את הצ׳ק ליסט של כלי קידום מדיניות"),
    ],
)
def test_the_completion_email_invites_the_checklist_from_the_status_page_link(
    in_progress, advisor, taken_before, invitation
):
    from django.core import mail

    from consultations.models import ChecklistAssessment, OutboundEmail
    from consultations.services.outbox import outbound_email_deliver

    Consultation.objects.filter(pk=in_progress.pk).update(preferred_language="he")
    if taken_before:
        ChecklistAssessment.objects.create(
            consultation=in_progress, sequence=1, source="request_form"
        )
    transitions.consultation_complete(
        consultation=in_progress, actor=advisor, outcome="skills_gained"
    )
    queued = OutboundEmail.objects.get(
        consultation=in_progress, kind=OutboundEmail.Kind.COMPLETED
    )
    outbound_email_deliver(email_id=queued.pk)
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert invitation in body
        assert "מהקישור לעמוד המצב של הפנייה" in body
