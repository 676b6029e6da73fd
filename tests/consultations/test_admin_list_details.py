"""The triage list's details: a search looks in every state, the overdue
column marks only the overdue requests, and people are named by their full
name (else their username) in the admin and the workspace."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, StatusChange
from shatil_portal.people import display_name
from tests.consultations.conftest import ConsultationFactory
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
CHANGELIST = "admin:consultations_consultation_changelist"


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _listed(response):
    return list(response.context["cl"].result_list)


def test_a_search_finds_closed_requests_by_reference_email_or_organization(
    staff_client,
):
    withdrawn = ConsultationFactory(
        status=Status.WITHDRAWN,
        contact_email="gone@example.org",
        organization=OrganizationFactory(name="עמותת החוף הנקי"),
    )
    ConsultationFactory()

    for term in [withdrawn.reference, "gone@example.org", "החוף הנקי"]:
        response = staff_client.get(reverse(CHANGELIST), {"q": term})
        assert _listed(response) == [withdrawn], term


def test_without_a_search_the_list_still_opens_on_open_requests(staff_client):
    withdrawn = ConsultationFactory(status=Status.WITHDRAWN)
    open_one = ConsultationFactory()

    assert _listed(staff_client.get(reverse(CHANGELIST))) == [open_one]
    # A state chosen by hand still applies to a search.
    chosen = staff_client.get(
        reverse(CHANGELIST), {"q": withdrawn.reference, "state": "open"}
    )
    assert _listed(chosen) == []


def test_the_overdue_column_marks_only_overdue_requests_in_words(staff_client):
    now = timezone.now()
    late = ConsultationFactory(first_response_due_at=now - timedelta(hours=1))
    on_time = ConsultationFactory(first_response_due_at=now + timedelta(days=2))

    html = staff_client.get(reverse(CHANGELIST)).content.decode()

    cells = dict(
        re.findall(
            r'<th class="field-reference"><a [^>]*>([^<]+)</a></th>.*?'
            r'<td class="field-is_overdue">(.*?)</td>',
            html,
            re.S,
        )
    )
    assert "באיחור" in cells[late.reference]
    assert 'aria-hidden="true"' in cells[late.reference]
    assert cells[on_time.reference].strip() == ""
    assert "icon" not in cells[late.reference] + cells[on_time.reference]


def test_display_name_is_the_full_name_else_the_username():
    assert display_name(UserFactory.build(first_name="Yael", last_name="Cohen")) == (
        "Yael Cohen"
    )
    assert (
        display_name(UserFactory.build(username="yc", first_name="", last_name=""))
        == "yc"
    )
    assert display_name(None) == ""


def test_the_admin_names_the_advisor_and_the_actor_by_full_name(
    staff_client, advisor, coordinator
):
    advisor.username, advisor.last_name = "advisor-login", "Cohen"
    advisor.save()
    coordinator.first_name, coordinator.last_name = "Rina", "Katz"
    coordinator.save()
    consultation = ConsultationFactory(status=Status.ASSIGNED, advisor=advisor)
    StatusChange.objects.create(
        consultation=consultation,
        actor=coordinator,
        from_status=Status.IN_TRIAGE,
        to_status=Status.ASSIGNED,
    )

    listing = staff_client.get(reverse(CHANGELIST)).content.decode()
    page = staff_client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    ).content.decode()

    assert "Yael Cohen" in listing and "advisor-login" not in listing
    assert re.search(r'<div class="readonly">Yael Cohen</div>', page)
    assert re.search(r'field-actor_name">\s*<p>Rina Katz</p>', page)


def test_the_workspace_names_an_advisor_without_a_full_name_by_username(
    client, make_advisor
):
    advisor = make_advisor()
    advisor.username, advisor.first_name, advisor.last_name = "nameless", "", ""
    advisor.save()
    consultation = ConsultationFactory(status=Status.ASSIGNED, advisor=advisor)
    client.force_login(advisor)

    html = client.get(
        reverse("workspace:request_detail", args=[consultation.pk])
    ).content.decode()

    assert re.search(r"יועץ\.ת: nameless", html)
