"""Who may see and change a request, tried on every workspace URL directly:
an advisor reaches only their own requests (anything else is 404 and
changes nothing), anonymous visitors are sent to sign in, the admin is for
staff, and crisis requests need the dedicated permission."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Consultation,
    InternalNote,
    Meeting,
    Message,
    OutboundEmail,
    StatusChange,
)
from tests.factories import ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status

POSTS = {
    "note_add": {"note-body": "Sneaky note"},
    "message_send": {"message-body": "Sneaky message"},
    "meeting_add": {
        "meeting-date": "2031-01-05",
        "meeting-time": "10:00",
        "meeting-duration_minutes": "60",
        "meeting-mode": "online",
        "meeting-location_or_link": "https://example.org",
    },
    "status_change": {"to_status": "completed"},
    "complete": {"complete-outcome": "nothing_yet"},
    "decline": {"decline-note": "No."},
}


@pytest.fixture
def theirs(other_advisor):
    """A request assigned to someone else, with a meeting."""
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=other_advisor
    )
    meeting = Meeting.objects.create(
        consultation=consultation,
        advisor=other_advisor,
        starts_at=timezone.now() + timedelta(days=3),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/x",
    )
    return consultation, meeting


def _all_urls(consultation, meeting):
    pk = consultation.pk
    gets = [
        reverse("workspace:request_detail", kwargs={"pk": pk}),
        reverse(
            "workspace:meeting_reschedule", kwargs={"pk": pk, "meeting_pk": meeting.pk}
        ),
        reverse(
            "workspace:meeting_calendar", kwargs={"pk": pk, "meeting_pk": meeting.pk}
        ),
    ]
    posts = [
        (reverse(f"workspace:{name}", kwargs={"pk": pk}), data)
        for name, data in POSTS.items()
    ]
    posts.append(
        (
            reverse(
                "workspace:meeting_cancel", kwargs={"pk": pk, "meeting_pk": meeting.pk}
            ),
            {},
        )
    )
    posts.append(
        (
            reverse(
                "workspace:meeting_reschedule",
                kwargs={"pk": pk, "meeting_pk": meeting.pk},
            ),
            {"date": "2031-01-05", "time": "10:00", "duration_minutes": "60"},
        )
    )
    return gets, posts


def _nothing_changed(consultation, meeting):
    consultation.refresh_from_db()
    meeting.refresh_from_db()
    assert consultation.status == Status.ASSIGNED
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.sequence == 0
    assert not InternalNote.objects.exists()
    assert not Message.objects.exists()
    assert not StatusChange.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert Meeting.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in_from_every_workspace_url(
    client, theirs
):
    gets, posts = _all_urls(*theirs)
    login = reverse("accounts:login")

    for url in [reverse("workspace:my_requests"), *gets]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    _nothing_changed(*theirs)


def test_an_advisor_gets_404_on_every_url_of_another_advisors_request(
    client, advisor, theirs
):
    client.force_login(advisor)
    gets, posts = _all_urls(*theirs)

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    _nothing_changed(*theirs)


def test_a_meeting_id_from_another_request_is_404_even_under_ones_own_request(
    client, advisor, theirs
):
    _, meeting = theirs
    own = ConsultationFactory(history=False, status=Status.ASSIGNED, advisor=advisor)
    client.force_login(advisor)
    kwargs = {"pk": own.pk, "meeting_pk": meeting.pk}

    assert (
        client.get(reverse("workspace:meeting_reschedule", kwargs=kwargs)).status_code
        == 404
    )
    assert (
        client.post(reverse("workspace:meeting_cancel", kwargs=kwargs)).status_code
        == 404
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_a_signed_in_user_who_is_not_an_advisor_sees_no_request(client, theirs):
    client.force_login(UserFactory())
    consultation, _ = theirs

    response = client.get(reverse("workspace:my_requests"))
    assert response.status_code == 200
    assert consultation.reference not in response.content.decode()
    detail = reverse("workspace:request_detail", kwargs={"pk": consultation.pk})
    assert client.get(detail).status_code == 404


def test_an_unknown_request_is_404(client, advisor):
    client.force_login(advisor)

    url = reverse("workspace:request_detail", kwargs={"pk": 999999})
    assert client.get(url).status_code == 404


def test_advisors_cannot_enter_the_admin(client, advisor, consultation):
    client.force_login(advisor)

    for url in (
        reverse("admin:index"),
        reverse("admin:consultations_consultation_changelist"),
        reverse("admin:consultations_consultation_change", args=[consultation.pk]),
        reverse("admin:consultations_consultation_export"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_the_admins_own_triage_views_refuse_advisors(client, advisor, consultation):
    client.force_login(advisor)

    response = client.post(
        reverse("admin:consultations_consultation_assign", args=[consultation.pk]),
        {"advisor": advisor.pk},
    )

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    consultation.refresh_from_db()
    assert consultation.advisor is None


def test_a_crisis_request_is_404_in_the_workspace_for_staff_without_the_permission(
    client, plain_staff, coordinator
):
    crisis = ConsultationFactory(history=False, crisis=True)
    url = reverse("workspace:request_detail", kwargs={"pk": crisis.pk})

    client.force_login(plain_staff)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_the_advisor_of_a_crisis_request_sees_it(client, advisor):
    crisis = ConsultationFactory(
        history=False, crisis=True, status=Status.ASSIGNED, advisor=advisor
    )
    client.force_login(advisor)

    url = reverse("workspace:request_detail", kwargs={"pk": crisis.pk})
    assert client.get(url).status_code == 200


def test_crisis_requests_are_hidden_from_admin_staff_without_the_permission(
    client, plain_staff
):
    """In the list, the search, the CSV export and on the request's page."""
    crisis = ConsultationFactory(history=False, crisis=True)
    regular = ConsultationFactory(history=False)
    client.force_login(plain_staff)
    changelist = reverse("admin:consultations_consultation_changelist")

    listed = client.get(changelist).content.decode()
    searched = client.get(changelist, {"q": crisis.reference}).context["cl"]
    exported = b"".join(
        client.get(reverse("admin:consultations_consultation_export")).streaming_content
    ).decode("utf-8-sig")
    page = client.get(
        reverse("admin:consultations_consultation_change", args=[crisis.pk])
    )

    assert regular.reference in listed
    assert crisis.reference not in listed
    assert list(searched.result_list) == []
    assert regular.reference in exported
    assert crisis.reference not in exported
    assert page.status_code == 302  # Django's "does not exist" redirect
    assert crisis.reference not in client.get(page["Location"]).content.decode()


def test_coordinators_and_superusers_see_crisis_requests_in_the_admin(
    client, coordinator
):
    crisis = ConsultationFactory(history=False, crisis=True)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    changelist = reverse("admin:consultations_consultation_changelist")

    for user in (coordinator, superuser):
        client.force_login(user)
        assert crisis.reference in client.get(changelist).content.decode()
        page = client.get(
            reverse("admin:consultations_consultation_change", args=[crisis.pk])
        )
        assert page.status_code == 200


def test_the_outbox_of_a_crisis_request_is_hidden_without_the_permission(
    client, plain_staff
):
    from django.contrib.auth.models import Permission

    plain_staff.user_permissions.add(
        Permission.objects.get(codename="view_outboundemail")
    )
    crisis = ConsultationFactory(history=False, crisis=True)
    OutboundEmail.objects.create(
        consultation=crisis,
        kind="confirmation",
        dedup_key="confirmation:crisis",
        to_address="crisis-contact@example.org",
        next_attempt_at=timezone.now(),
    )
    client.force_login(plain_staff)

    response = client.get(reverse("admin:consultations_outboundemail_changelist"))

    assert response.status_code == 200
    assert "crisis-contact@example.org" not in response.content.decode()


def test_the_coordinators_group_holds_the_crisis_permission(coordinator, plain_staff):
    assert coordinator.has_perm("consultations.view_crisis_consultation")
    assert coordinator.has_perm("consultations.change_consultation")
    assert coordinator.has_perm("consultations.add_internalnote")
    assert not plain_staff.has_perm("consultations.view_crisis_consultation")


def test_the_permission_rule_answers_no_to_an_account_that_cannot_sign_in():
    """A deactivated advisor no longer sees the request still assigned to
    them, and an anonymous visitor sees none: in the one-request check and in
    the list the admin and workspace read."""
    from django.contrib.auth.models import AnonymousUser

    from consultations.permissions import user_may_see_consultation

    advisor = UserFactory(is_active=False)
    consultation = ConsultationFactory(advisor=advisor)

    for user in (advisor, AnonymousUser()):
        assert not user_may_see_consultation(user=user, consultation=consultation)
        assert not Consultation.objects.visible_to(user).exists()


def test_the_permission_rule_gives_an_advisor_only_their_own_requests():
    """An advisor who is not staff sees the requests assigned to them and no
    other, crisis or not; staff see the rest."""
    from consultations.permissions import user_may_see_consultation

    advisor, other = UserFactory(), UserFactory()
    own = ConsultationFactory(advisor=advisor, is_crisis=True)
    someone_elses = ConsultationFactory(advisor=other)
    unassigned = ConsultationFactory()

    assert user_may_see_consultation(user=advisor, consultation=own)
    assert not user_may_see_consultation(user=advisor, consultation=someone_elses)
    assert not user_may_see_consultation(user=advisor, consultation=unassigned)
    staff = UserFactory(is_staff=True)
    assert user_may_see_consultation(user=staff, consultation=unassigned)
    assert not user_may_see_consultation(user=staff, consultation=own)
