"""Staff see and steer the follow-ups in the admin: response policies,
scheduled follow-ups (cancelled with a reason), feedback on the request."""

import re

import pytest
from django.urls import reverse

from consultations.models import FollowUp, ResponsePolicy
from tests.factories import (
    ConsultationFactory,
    FeedbackFactory,
    FollowUpFactory,
    ResponsePolicyFactory,
    catalog_track,
)
from tests.migration_data import restore_staff_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def followup_permissions(db):
    """The Coordinators group's follow-up permissions, as their migration
    grants them (a flushed database has lost them)."""
    restore_staff_groups()


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_coordinators_edit_the_response_policy(staff_client, catalog):
    """A coordinator adds a policy for one track from the admin."""
    response = staff_client.post(
        reverse("admin:consultations_responsepolicy_add"),
        {
            "urgency": "normal",
            "track": catalog_track().pk,
            "first_response_business_days": "2",
            "reminder_business_days_before": "0",
        },
    )
    assert response.status_code == 302
    policy = ResponsePolicy.objects.get()
    assert (policy.track, policy.first_response_business_days) == (catalog_track(), 2)
    listing = staff_client.get(reverse("admin:consultations_responsepolicy_changelist"))
    assert listing.status_code == 200


def test_followups_are_listed_filtered_and_cancelled_with_a_reason(
    staff_client, catalog
):
    """The list filters by status; the cancel action records who cancelled."""
    scheduled = FollowUpFactory()
    FollowUpFactory(kind="waiting_nudge", status="sent")
    url = reverse("admin:consultations_followup_changelist")
    response = staff_client.get(url, {"status__exact": "scheduled"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [scheduled]

    staff_client.post(
        url, {"action": "cancel_selected", "_selected_action": [scheduled.pk]}
    )
    scheduled.refresh_from_db()
    assert scheduled.status == FollowUp.Status.CANCELLED
    assert "coordinator" in scheduled.failure_message


def test_feedback_shows_on_the_request_page(staff_client, catalog):
    """The request's admin page shows the answer and its scores, never the
    token's hash."""
    feedback = FeedbackFactory(satisfaction=4, comment="תודה רבה על הליווי")
    response = staff_client.get(
        reverse(
            "admin:consultations_consultation_change", args=[feedback.consultation.pk]
        )
    )
    assert response.status_code == 200
    assert "תודה רבה על הליווי" in response.content.decode()
    assert feedback.token_hash not in response.content.decode()


def test_staff_without_crisis_access_do_not_see_crisis_follow_ups(
    client, plain_staff, catalog
):
    from django.contrib.auth.models import Permission

    plain_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_followup", "view_feedback"])
    )
    client.force_login(plain_staff)
    visible = FollowUpFactory()
    FollowUpFactory(consultation=ConsultationFactory(crisis=True))
    response = client.get(reverse("admin:consultations_followup_changelist"))
    assert list(response.context["cl"].queryset) == [visible]


def test_the_editable_policy_cells_are_named_for_screen_readers(staff_client):
    """Each editable cell of the policy list carries an accessible name."""
    ResponsePolicyFactory()
    response = staff_client.get(
        reverse("admin:consultations_responsepolicy_changelist")
    )
    html = response.content.decode()
    cell = re.search(
        r'<input[^>]*name="form-0-first_response_business_days"[^>]*>', html
    )
    assert re.search(r'aria-label="[^"]+, [^"]+"', cell[0])
