"""Every page, list, export and email that can show a crisis request asks
consultations/permissions.py, and shows it exactly when the module says so:
to the coordinators (the permission), to the advisor assigned to it, and to
nobody else. Figures and digests are per class of user (they are cached or
sent per class), so they follow `user_may_see_crisis`; everything about one
request follows `user_may_see_consultation`. (Attachments, work plans and
inbound mail join this list when they arrive.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation
from consultations.permissions import user_may_see_consultation, user_may_see_crisis
from consultations.selectors.dashboard import (
    DashboardFilters,
    dashboard_figures,
    dashboard_tracks,
)
from consultations.selectors.followups import coordinator_recipients
from consultations.selectors.staff import consultation_get_for_workspace
from consultations.services.followups import weekly_digest_context
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status


def _admin_list(client, user, crisis):
    client.force_login(user)
    page = client.get(reverse("admin:consultations_consultation_changelist"))
    return crisis.reference in page.content.decode()


def _admin_page(client, user, crisis):
    client.force_login(user)
    url = reverse("admin:consultations_consultation_change", args=[crisis.pk])
    return client.get(url).status_code == 200


def _admin_export(client, user, crisis):
    client.force_login(user)
    response = client.get(reverse("admin:consultations_consultation_export"))
    assert response.status_code == 200
    return crisis.reference in b"".join(response.streaming_content).decode()


def _organization_page(client, user, crisis):
    client.force_login(user)
    url = reverse("workspace:organization_detail", args=[crisis.organization_id])
    return crisis.reference in client.get(url).content.decode()


def _workspace_page(client, user, crisis):
    client.force_login(user)
    url = reverse("workspace:request_detail", args=[crisis.pk])
    return client.get(url).status_code == 200


def _staff_selector(client, user, crisis):
    return consultation_get_for_workspace(user=user, pk=crisis.pk) is not None


def _visible_to(client, user, crisis):
    return Consultation.objects.visible_to(user).filter(pk=crisis.pk).exists()


def _dashboard(client, user, crisis):
    filters = DashboardFilters.default()
    tracks = dashboard_tracks(user=user)
    figures = dashboard_figures(user=user, filters=filters, tracks=tracks)
    return crisis.track in tracks and figures.crisis_visible


def _digest(client, user, crisis):
    recipient = {r.email: r for r in coordinator_recipients()}.get(user.email)
    if recipient is None:
        return False  # no digest at all
    context = weekly_digest_context(recipient=recipient, now=timezone.now())
    return crisis.reference in [item["reference"] for item in context["overdue"]]


PER_REQUEST = [
    _admin_list,
    _admin_page,
    _admin_export,
    _organization_page,
    _workspace_page,
    _staff_selector,
    _visible_to,
]
PER_CLASS = [_dashboard, _digest]


@pytest.fixture
def crisis(plain_staff):
    yesterday = timezone.now() - timedelta(days=2)
    return ConsultationFactory(
        crisis=True,
        status=Status.NEW,
        submitted_at=yesterday,
        first_response_due_at=yesterday,
    )


@pytest.fixture(params=["coordinator", "plain_staff", "assigned_staff"])
def user(request, crisis):
    if request.param == "assigned_staff":
        staff = request.getfixturevalue("plain_staff")
        Consultation.objects.filter(pk=crisis.pk).update(
            advisor=staff, status=Status.ASSIGNED
        )
        crisis.refresh_from_db()
        return staff
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("caller", PER_REQUEST, ids=lambda f: f.__name__[1:])
def test_every_view_of_one_request_shows_a_crisis_request_as_the_module_says(
    client, user, crisis, caller
):
    """Coordinators and the assigned advisor see it; other staff do not."""
    expected = user_may_see_consultation(user=user, consultation=crisis)
    assert expected == (user.username != "staff-no-crisis" or crisis.advisor == user)
    assert caller(client, user, crisis) is expected


@pytest.mark.parametrize("caller", PER_CLASS, ids=lambda f: f.__name__[1:])
def test_figures_and_digests_show_crisis_requests_as_the_module_says(
    client, user, crisis, caller
):
    """Only the crisis permission opens figures and digests to crisis
    requests: they are computed per class of user, not per assignment."""
    assert caller(client, user, crisis) is user_may_see_crisis(user)
