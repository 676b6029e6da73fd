"""The staff page of an organization: its details, every request over time
with status and outcome, the contact people as each request gave them, its
feedback and the merges into it; staff only, crisis requests per
permission, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation
from consultations.services.organizations import organization_merge
from tests.factories import ConsultationFactory, FeedbackFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture(autouse=True)
def hebrew():
    """Hebrew, the default, whatever language an earlier request left
    active in this thread (URLs are reversed unprefixed)."""
    with translation.override("he"):
        yield


def page_url(organization) -> str:
    return reverse("workspace:organization_detail", kwargs={"pk": organization.pk})


@pytest.fixture
def organization(db):
    return OrganizationFactory(
        name="עמותת גשר לשוויון", registration_number="580045672", locality="עכו"
    )


def test_anonymous_visitors_sign_in_and_advisors_are_refused(
    client, advisor, organization
):
    """Anonymous visitors are sent to sign in; advisors who are not staff get 403."""
    url, login = page_url(organization), reverse("accounts:login")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(login)
    client.force_login(advisor)
    assert client.get(url).status_code == 403


def test_an_unknown_organization_is_404(client, coordinator):
    """An organization that does not exist (or was merged away) is 404."""
    client.force_login(coordinator)
    response = client.get(
        reverse("workspace:organization_detail", kwargs={"pk": 987654})
    )
    assert response.status_code == 404


def test_the_page_shows_requests_contacts_and_feedback(
    client, coordinator, organization
):
    """Details, each request with status and outcome, contacts per request
    (none for an anonymized one), feedback; nothing of other organizations."""
    now = timezone.now()
    completed = ConsultationFactory(
        history=False,
        organization=organization,
        status=Status.COMPLETED,
        submitted_at=now - timedelta(days=90),
        first_response_due_at=now - timedelta(days=87),
        first_responded_at=now - timedelta(days=89),
        closed_at=now - timedelta(days=30),
        contact_name="Dana Levi",
        contact_email="dana@example.org",
    )
    FeedbackFactory(
        consultation=completed,
        submitted_at=now - timedelta(days=20),
        satisfaction=5,
        comment="Very helpful advice.",
    )
    ConsultationFactory(
        history=False,
        organization=organization,
        contact_name="Samir Haddad",
        contact_email="samir@example.org",
    )
    ConsultationFactory(
        history=False,
        organization=organization,
        status=Status.DECLINED,
        closed_at=now - timedelta(days=200),
        anonymized_at=now - timedelta(days=1),
        contact_name="",
        contact_email="",
    )
    ConsultationFactory(history=False, contact_name="Someone Else")
    client.force_login(coordinator)

    response = client.get("/en" + page_url(organization))

    html = response.content.decode()
    assert response.status_code == 200
    assert "עמותת גשר לשוויון" in html and "580045672" in html and "עכו" in html
    # Newest first: the completed request is the oldest.
    assert response.context["history"].consultations[-1].pk == completed.pk
    assert html.count('href="/en/workspace/requests/') == 3
    assert "Dana Levi" in html and "samir@example.org" in html
    assert "Removed (anonymized)" in html
    assert "Someone Else" not in html
    assert "Very helpful advice." in html
    assert "Completed" in html and "Declined" in html and "On time" in html


def test_crisis_requests_are_a_count_for_staff_without_the_permission(
    client, plain_staff, coordinator, organization
):
    """Staff without the crisis permission read how many crisis requests are
    left out; coordinators see them listed."""
    crisis = ConsultationFactory(history=False, organization=organization, crisis=True)
    ConsultationFactory(history=False, organization=organization)

    url = "/en" + page_url(organization)
    client.force_login(plain_staff)
    limited = client.get(url).content.decode()
    client.force_login(coordinator)
    full = client.get(url).content.decode()

    assert crisis.reference not in limited
    assert "1 crisis request is not listed" in limited
    assert crisis.reference in full
    assert "crisis request is not listed" not in full


def test_query_count_does_not_grow_with_the_requests(
    client, coordinator, organization, django_assert_num_queries
):
    """Two requests or eight, with feedback and a merge: the same queries."""

    def add(count: int) -> None:
        for _ in range(count):
            consultation = ConsultationFactory(
                history=False,
                organization=organization,
                status=Status.COMPLETED,
                closed_at=timezone.now(),
            )
            FeedbackFactory(
                consultation=consultation, submitted_at=timezone.now(), satisfaction=4
            )

    add(2)
    source = OrganizationFactory()
    ConsultationFactory(history=False, organization=source)
    organization_merge(source=source, target=organization, actor=coordinator)
    url = page_url(organization)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    add(6)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_page_lists_merges_into_the_organization(client, coordinator, organization):
    """Each merge into the organization is listed with what moved."""
    source = OrganizationFactory(name="Gesher for Equality")
    ConsultationFactory.create_batch(2, history=False, organization=source)
    organization_merge(source=source, target=organization, actor=coordinator)
    client.force_login(coordinator)

    html = client.get("/en" + page_url(organization)).content.decode()

    assert "Merged into this organization" in html
    assert "Gesher for Equality" in html and "2 requests moved." in html
