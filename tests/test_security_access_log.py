"""The access log: every view of a request page (admin or workspace) and
every CSV export writes who, when and which request; staff read it on the
request's admin page and in its own list, and nobody can edit it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from consultations.models import AccessLogEntry
from consultations.services.access_log import (
    access_log_organization_viewed,
    access_log_request_viewed,
)
from tests.factories import ConsultationFactory
from tests.security_support import (
    ADVISOR,
    COORDINATOR,
    OTHER_ADVISOR,
    STAFF,
    build_world,
)

pytestmark = pytest.mark.django_db

Action = AccessLogEntry.Action


@pytest.fixture
def world(db):
    return build_world()


def _entries(consultation):
    return list(
        AccessLogEntry.objects.filter(consultation=consultation).values_list(
            "username", "action"
        )
    )


def _change_url(consultation) -> str:
    return reverse("admin:consultations_consultation_change", args=[consultation.pk])


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_opening_a_request_in_the_admin_is_logged(client, world):
    AccessLogEntry.objects.all().delete()
    coordinator = world.users[COORDINATOR]
    client.force_login(coordinator)

    assert client.get(_change_url(world.normal)).status_code == 200

    entry = AccessLogEntry.objects.get()
    assert entry.user == coordinator
    assert entry.username == "coordinator"
    assert entry.action == Action.VIEWED_IN_ADMIN
    assert entry.consultation == world.normal
    assert entry.reference == world.normal.reference
    assert entry.organization == world.normal.organization
    assert entry.created_at is not None


def test_a_request_the_user_may_not_open_is_not_logged(client, world):
    """Staff without the crisis permission never reach the crisis request,
    so there is nothing to log."""
    AccessLogEntry.objects.all().delete()
    client.force_login(world.users[STAFF])

    client.get(_change_url(world.crisis))

    assert not AccessLogEntry.objects.exists()


def test_the_advisor_opening_the_request_in_the_workspace_is_logged(client, world):
    AccessLogEntry.objects.all().delete()
    client.force_login(world.users[ADVISOR])

    url = reverse("workspace:request_detail", kwargs={"pk": world.crisis.pk})
    assert client.get(url).status_code == 200

    assert _entries(world.crisis) == [("advisor-a", Action.VIEWED_IN_WORKSPACE)]


def test_another_advisors_404_is_not_logged(client, world):
    AccessLogEntry.objects.all().delete()
    client.force_login(world.users[OTHER_ADVISOR])

    url = reverse("workspace:request_detail", kwargs={"pk": world.normal.pk})
    assert client.get(url).status_code == 404

    assert not AccessLogEntry.objects.exists()


def test_the_csv_export_logs_exactly_the_requests_it_contains(client, world):
    """Staff without the crisis permission export the other requests; each
    exported request gets its entry, the crisis request none."""
    AccessLogEntry.objects.all().delete()
    extra = ConsultationFactory()
    client.force_login(world.users[STAFF])

    response = client.get(
        reverse("admin:consultations_consultation_export"), {"state": "all"}
    )

    exported = {line.split(",")[0] for line in _csv(response).splitlines()[1:] if line}
    logged = set(
        AccessLogEntry.objects.filter(action=Action.EXPORTED_CSV).values_list(
            "reference", flat=True
        )
    )
    assert world.normal.reference in exported
    assert extra.reference in exported
    assert world.crisis.reference not in exported
    assert logged == exported
    assert set(AccessLogEntry.objects.values_list("username", flat=True)) == {
        "staff-no-crisis"
    }


def test_exporting_selected_requests_logs_those_requests(client, world):
    AccessLogEntry.objects.all().delete()
    other = ConsultationFactory()
    client.force_login(world.users[COORDINATOR])

    response = client.post(
        reverse("admin:consultations_consultation_changelist") + "?state=all",
        {
            "action": "export_selected",
            ACTION_CHECKBOX_NAME: [world.normal.pk, world.crisis.pk],
            "index": 0,
        },
    )

    assert response.status_code == 200
    assert other.reference not in _csv(response)
    assert sorted(AccessLogEntry.objects.values_list("reference", "action")) == sorted(
        [
            (world.normal.reference, Action.EXPORTED_CSV),
            (world.crisis.reference, Action.EXPORTED_CSV),
        ]
    )


def test_the_request_page_shows_who_opened_it(client, world):
    access_log_request_viewed(
        user=world.users[ADVISOR],
        consultation=world.normal,
        action=Action.VIEWED_IN_WORKSPACE,
    )
    client.force_login(world.users[STAFF])

    response = client.get("/en" + _change_url(world.normal))

    content = response.content.decode()
    assert "access log" in content.lower()
    assert "advisor-a" in content
    assert "Viewed the request page (workspace)" in content
    # The page view just made is listed too.
    assert "staff-no-crisis" in content


def test_the_access_log_list_shows_entries_to_coordinators(client, world):
    access_log_request_viewed(
        user=world.users[ADVISOR],
        consultation=world.normal,
        action=Action.VIEWED_IN_WORKSPACE,
    )
    client.force_login(world.users[COORDINATOR])

    response = client.get(
        reverse("admin:consultations_accesslogentry_changelist"),
        {"q": world.normal.reference},
    )

    assert response.status_code == 200
    assert "advisor-a" in response.content.decode()


def test_nobody_can_edit_the_log_not_even_a_superuser(client, world):
    entry = AccessLogEntry.objects.filter(consultation=world.normal).first()
    client.force_login(world.users["superuser"])
    change = reverse("admin:consultations_accesslogentry_change", args=[entry.pk])

    client.post(change, {"username": "someone-else", "action": "csv_export"})
    delete = client.post(
        reverse("admin:consultations_accesslogentry_delete", args=[entry.pk]),
        {"post": "yes"},
    )

    entry.refresh_from_db()
    assert entry.username == "coordinator"
    assert delete.status_code == 403


def test_the_organization_page_logs_each_request_it_lists(world):
    coordinator = world.users[COORDINATOR]
    organization = world.normal.organization

    written = access_log_organization_viewed(
        user=coordinator, organization=organization, consultations=[world.normal]
    )

    assert written == 1
    assert _entries(world.normal)[0] == ("coordinator", Action.VIEWED_ORGANIZATION)


def test_an_organization_page_without_requests_is_still_logged(world):
    organization = ConsultationFactory().organization

    access_log_organization_viewed(
        user=world.users[COORDINATOR], organization=organization, consultations=[]
    )

    entry = AccessLogEntry.objects.get(
        organization=organization, action=Action.VIEWED_ORGANIZATION
    )
    assert entry.consultation is None


def test_the_log_outlives_a_deleted_user_and_request(world):
    """The username and reference are kept as written."""
    staff = world.users[STAFF]
    consultation = ConsultationFactory()
    access_log_request_viewed(
        user=staff, consultation=consultation, action=Action.VIEWED_IN_ADMIN
    )
    reference = consultation.reference

    consultation.delete()
    staff.delete()

    entry = AccessLogEntry.objects.get(reference=reference)
    assert (entry.user, entry.consultation) == (None, None)
    assert entry.username == "staff-no-crisis"


def test_opening_an_organization_page_logs_the_requests_it_lists(client, world):
    AccessLogEntry.objects.all().delete()
    client.force_login(world.users[COORDINATOR])

    url = reverse(
        "workspace:organization_detail", kwargs={"pk": world.normal.organization_id}
    )
    assert client.get(url).status_code == 200

    assert _entries(world.normal) == [("coordinator", Action.VIEWED_ORGANIZATION)]


def test_a_hidden_crisis_request_is_not_logged_from_its_organization_page(
    client, world
):
    """Staff without the permission see only a count; the entry names the
    organization, not the request."""
    AccessLogEntry.objects.all().delete()
    client.force_login(world.users[STAFF])

    url = reverse(
        "workspace:organization_detail", kwargs={"pk": world.crisis.organization_id}
    )
    assert client.get(url).status_code == 200

    assert _entries(world.crisis) == []
    entry = AccessLogEntry.objects.get()
    assert (entry.organization_id, entry.consultation) == (
        world.crisis.organization_id,
        None,
    )
