"""Merging two organizations that are one: every request moves to the one
that stays, with its history, messages and feedback; nothing is lost; the
merge is recorded; the merged record is gone; merging into itself, a second
merge of the same pair, and a user without the right are refused. In the
admin: a confirmation page shows what will move and asks which stays."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import (
    Consultation,
    Feedback,
    InternalNote,
    Message,
    Organization,
    OrganizationMerge,
    StatusChange,
)
from consultations.services.organizations import organization_merge
from tests.factories import (
    ConsultationFactory,
    FeedbackFactory,
    MessageFactory,
    OrganizationFactory,
    StatusChangeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture(autouse=True)
def hebrew():
    """Hebrew, the default, whatever language an earlier request left
    active in this thread (URLs are reversed unprefixed)."""
    with translation.override("he"):
        yield


@pytest.fixture
def duplicate():
    """The same organization twice: once as typed with a registration
    number, once without; each with requests, history, messages and
    feedback."""
    kept = OrganizationFactory(
        name="עמותת גשר לשוויון", registration_number="580045672"
    )
    merged = OrganizationFactory(name="גשר לשוויון", locality="עכו")
    ConsultationFactory(history=False, organization=kept)
    for status in (Status.COMPLETED, Status.IN_TRIAGE):
        consultation = ConsultationFactory(
            history=False,
            organization=merged,
            organization_as_submitted={"name": "גשר לשוויון", "locality": "עכו"},
            status=status,
            closed_at=timezone.now() if status == Status.COMPLETED else None,
        )
        StatusChangeFactory(consultation=consultation)
        MessageFactory(consultation=consultation)
    FeedbackFactory(
        consultation=merged.consultations.get(status=Status.COMPLETED),
        submitted_at=timezone.now(),
        satisfaction=5,
    )
    return merged, kept


def counts() -> dict[str, int]:
    return {
        "requests": Consultation.objects.count(),
        "history": StatusChange.objects.count(),
        "messages": Message.objects.count(),
        "feedback": Feedback.objects.count(),
    }


def test_every_request_moves_with_its_history_messages_and_feedback(
    coordinator, duplicate
):
    """Nothing is lost: the same numbers of requests, history rows, messages
    and feedback; all now under the surviving organization."""
    source, target = duplicate
    moved = set(source.consultations.values_list("pk", flat=True))
    before = counts()

    organization_merge(source=source, target=target, actor=coordinator)

    assert counts() == before
    assert not Organization.objects.filter(pk=source.pk).exists()
    assert set(target.consultations.values_list("pk", flat=True)) >= moved
    assert target.consultations.count() == 3
    assert StatusChange.objects.filter(consultation__organization=target).count() == 2
    assert Message.objects.filter(consultation__organization=target).count() == 2
    feedback = Feedback.objects.get()
    assert feedback.consultation.organization == target
    assert feedback.satisfaction == 5
    # What the requester typed stays on each request as it was.
    assert {
        item.organization_as_submitted["name"]
        for item in Consultation.objects.filter(pk__in=moved)
    } == {"גשר לשוויון"}


def test_the_merge_is_recorded_with_who_what_and_when(coordinator, duplicate):
    """The merge row keeps the actor, the time, the merged record's details and
    the requests moved; each moved request gets an internal note."""
    source, target = duplicate
    moved = set(source.consultations.values_list("pk", flat=True))
    source_pk = source.pk

    merge = organization_merge(source=source, target=target, actor=coordinator)

    merge.refresh_from_db()
    assert merge.actor == coordinator
    assert merge.target == target
    assert (merge.source_pk, merge.source_name) == (source_pk, "גשר לשוויון")
    assert merge.source_details["locality"] == "עכו"
    assert merge.created_at is not None
    assert set(merge.consultations.values_list("pk", flat=True)) == moved
    notes = InternalNote.objects.filter(consultation__in=moved)
    assert notes.count() == 2
    assert all(note.author == coordinator for note in notes)
    assert all("גשר לשוויון" in note.body for note in notes)


def test_an_organization_cannot_be_merged_into_itself(coordinator, duplicate):
    """Merging an organization into itself is refused and changes nothing."""
    source, _ = duplicate
    before = counts()

    with pytest.raises(ValidationError) as error:
        organization_merge(source=source, target=source, actor=coordinator)

    assert error.value.code == "same"
    assert counts() == before
    assert Organization.objects.filter(pk=source.pk).exists()
    assert not OrganizationMerge.objects.exists()


def test_a_second_merge_of_the_same_pair_is_refused(coordinator, duplicate):
    """The merged organization no longer exists: merging it again is refused
    with a clear message and changes nothing."""
    source, target = duplicate
    organization_merge(source=source, target=target, actor=coordinator)
    after_first = counts()

    with pytest.raises(ValidationError) as error, translation.override("en"):
        organization_merge(source=source, target=target, actor=coordinator)

    assert error.value.code == "missing"
    assert "no longer exists" in " ".join(error.value.messages)
    assert counts() == after_first
    assert OrganizationMerge.objects.count() == 1


def test_staff_without_the_right_to_change_organizations_cannot_merge(
    plain_staff, advisor, duplicate
):
    """Staff without the change permission, and advisors, are refused."""
    source, target = duplicate
    for user in (plain_staff, advisor):
        with pytest.raises(PermissionDenied):
            organization_merge(source=source, target=target, actor=user)
    assert Organization.objects.filter(pk=source.pk).exists()


def test_earlier_merges_follow_the_surviving_organization(coordinator, duplicate):
    """A merged into B, then B into C: both merges now point to C."""
    source, target = duplicate
    first = organization_merge(source=source, target=target, actor=coordinator)
    final = OrganizationFactory(name="Gesher")

    second = organization_merge(source=target, target=final, actor=coordinator)

    first.refresh_from_db()
    assert first.target == final and second.target == final
    assert final.consultations.count() == 3


# The admin action


def changelist() -> str:
    """In English, so that the tests read the messages as written."""
    with translation.override("en"):
        return reverse("admin:consultations_organization_changelist")


def action_post(organizations, **extra) -> dict:
    return {
        "action": "merge_selected",
        ACTION_CHECKBOX_NAME: [str(item.pk) for item in organizations],
        **extra,
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_action_needs_exactly_two_organizations(admin_client, duplicate):
    """One selected organization is not a merge: the admin says so."""
    source, _ = duplicate
    url = changelist()
    response = admin_client.post(url, action_post([source]), follow=True)
    assert "Select exactly two organizations to merge." in messages_of(response)
    assert Organization.objects.filter(pk=source.pk).exists()


def test_the_confirmation_page_shows_what_will_move(client, coordinator, duplicate):
    """Before anything changes, the page lists both organizations' requests and
    asks which organization stays."""
    source, target = duplicate
    url = changelist()
    client.force_login(coordinator)

    response = client.post(url, action_post([source, target]))

    assert response.status_code == 200
    html = response.content.decode()
    for consultation in Consultation.objects.all():
        assert consultation.reference in html
    assert f'name="target" value="{source.pk}"' in html
    assert f'name="target" value="{target.pk}"' in html
    assert Organization.objects.filter(pk=source.pk).exists()


def test_confirming_merges_and_posting_again_is_refused(client, coordinator, duplicate):
    """Confirming merges; sending the same confirmation again is refused
    because the merged organization no longer exists."""
    source, target = duplicate
    url = changelist()
    client.force_login(coordinator)
    confirm = action_post([source, target], apply="1", target=str(target.pk))

    done = client.post(url, confirm, follow=True)
    again = client.post(url, confirm, follow=True)

    assert any("was merged into" in text for text in messages_of(done))
    assert not Organization.objects.filter(pk=source.pk).exists()
    assert target.consultations.count() == 3
    assert any("no longer exists" in text for text in messages_of(again))
    assert OrganizationMerge.objects.count() == 1


def test_crisis_requests_are_counted_not_listed_without_the_permission(
    client, duplicate
):
    """The confirmation page gives the number of crisis requests, not their
    references, to staff without the crisis permission."""
    source, target = duplicate
    crisis = ConsultationFactory(history=False, organization=source, crisis=True)
    user = UserFactory(username="organizations-clerk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_organization", "change_organization"]
        )
    )
    url = changelist()
    client.force_login(user)

    html = client.post(url, action_post([source, target])).content.decode()

    assert crisis.reference not in html
    assert "And 1 crisis request, not listed" in html


def test_the_admin_links_each_organization_to_its_page(client, coordinator, duplicate):
    """The admin list and the change page link to the organization's page."""
    source, _ = duplicate
    with translation.override("he"):
        page = reverse("workspace:organization_detail", kwargs={"pk": source.pk})
        change = reverse("admin:consultations_organization_change", args=[source.pk])
    client.force_login(coordinator)

    listing = client.get(changelist()).content.decode()
    form = client.get(change).content.decode()

    assert f'href="/en{page}"' in listing
    assert page in form  # "View on site"
