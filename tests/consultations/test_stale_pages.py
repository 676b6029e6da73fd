"""An action on a request posts the version that the page showed; if the
request changed since, the action is refused ("this request changed, reload
it"), never applied on top of a change the actor has not seen. The check is
one helper (`lock_consultation`) that every action's service uses."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation, OutboundEmail, StatusChange
from consultations.services.transitions import (
    STATUS_SERVICES,
    consultation_change_status,
    consultation_start_progress,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db
Status = Consultation.Status
STALE = "This request changed since the page was loaded; reload it."


def _hidden_fields(html: str, *, containing: str) -> dict[str, str]:
    """The hidden inputs of the page's form that contains `containing`, as
    the browser would post them."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
        if containing in form:
            return dict(
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
            )
    raise AssertionError(f"No form with {containing!r}")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_two_coordinators_assign_the_same_new_request_the_second_is_refused(
    coordinator, advisor, other_advisor, english
):
    """Both open the new request; the first assigns it to one advisor, the
    second, half a second later, to another. The second is told the request
    changed; it stays with the first advisor, who alone was notified."""
    consultation = ConsultationFactory(history=False)
    change_url = reverse(
        "admin:consultations_consultation_change", args=[consultation.pk]
    )
    assign_url = reverse(
        "admin:consultations_consultation_assign", args=[consultation.pk]
    )
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(coordinator)
    first_page = first.get(change_url).content.decode()
    second_page = second.get(change_url).content.decode()

    first.post(
        assign_url,
        _hidden_fields(first_page, containing=f'value="{advisor.pk}"'),
    )
    refused = second.post(
        assign_url,
        _hidden_fields(second_page, containing=f'value="{other_advisor.pk}"'),
    )

    consultation.refresh_from_db()
    assert consultation.advisor == advisor
    assert _messages(refused) == [STALE]
    assert StatusChange.objects.filter(consultation=consultation).count() == 1
    notified = OutboundEmail.objects.filter(
        consultation=consultation, kind=OutboundEmail.Kind.ADVISOR_ASSIGNED
    )
    assert notified.count() == 1


def test_a_workspace_status_button_on_a_stale_page_is_refused(client, advisor, english):
    """The advisor's page shows the request assigned; from another tab it is
    set in progress; "completed" from the old page is refused."""
    consultation = ConsultationFactory(
        history=False,
        status=Status.ASSIGNED,
        advisor=advisor,
        first_responded_at=timezone.now(),
    )
    client.force_login(advisor)
    with translation.override("en"):
        detail = reverse("workspace:request_detail", kwargs={"pk": consultation.pk})
        complete_url = reverse("workspace:complete", kwargs={"pk": consultation.pk})
    page = client.get(detail).content.decode()
    consultation_start_progress(consultation=consultation, actor=advisor)

    response = client.post(
        complete_url,
        {
            **_hidden_fields(page, containing='name="complete-outcome"'),
            "complete-outcome": "plan_in_place",
        },
    )

    consultation.refresh_from_db()
    assert consultation.status == Status.IN_PROGRESS
    assert response.status_code == 400
    assert STALE in response.content.decode()


def test_a_workspace_decline_on_a_stale_page_is_refused(client, advisor, english):
    consultation = ConsultationFactory(
        history=False,
        status=Status.ASSIGNED,
        advisor=advisor,
        first_responded_at=timezone.now(),
    )
    client.force_login(advisor)
    with translation.override("en"):
        detail = reverse("workspace:request_detail", kwargs={"pk": consultation.pk})
        decline_url = reverse("workspace:decline", kwargs={"pk": consultation.pk})
    page = client.get(detail).content.decode()
    consultation_start_progress(consultation=consultation, actor=advisor)

    response = client.post(
        decline_url,
        {
            **_hidden_fields(page, containing="decline-note"),
            "decline-note": "Out of scope.",
        },
    )

    consultation.refresh_from_db()
    assert consultation.status == Status.IN_PROGRESS
    assert STALE in _messages(response)


def test_the_admin_decline_page_refuses_when_the_request_changed(
    coordinator, advisor, english
):
    consultation = ConsultationFactory(history=False, status=Status.IN_TRIAGE)
    client = Client()
    client.force_login(coordinator)
    decline_url = reverse(
        "admin:consultations_consultation_decline", args=[consultation.pk]
    )
    page = client.get(decline_url).content.decode()
    from consultations.services.transitions import consultation_assign_advisor

    consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )

    response = client.post(
        decline_url,
        {**_hidden_fields(page, containing='name="note"'), "note": "Not for us."},
    )

    consultation.refresh_from_db()
    assert consultation.status == Status.ASSIGNED
    assert STALE in _messages(response)


@pytest.mark.parametrize("to_status", sorted(STATUS_SERVICES))
def test_every_status_service_refuses_a_version_the_request_no_longer_has(
    to_status, coordinator, advisor, english
):
    """Each status a button can set goes through the one check."""
    consultation = ConsultationFactory(history=False, status=Status.NEW)
    shown = consultation.version
    consultation.save()  # changed since the page was shown

    with pytest.raises(ValidationError) as refusal:
        consultation_change_status(
            consultation=consultation,
            to_status=to_status,
            actor=coordinator,
            note="A note",
            outcome="nothing_yet",
            expected_version=shown,
        )

    assert refusal.value.messages == [STALE]
