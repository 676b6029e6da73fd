"""What the organization does from its status page: a message to the staff,
withdrawing the request, and a new link when the old one is lost."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations.models import Consultation, Message, OutboundEmail, StatusChange
from consultations.selectors.requester import consultation_get_by_status_token
from consultations.services.requester import (
    consultation_message_from_organization,
    consultation_resend_status_link,
    consultation_withdraw,
)
from tests.factories import ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_INBOX = "staff@example.org"


@pytest.fixture(autouse=True)
def staff_inbox(settings):
    settings.STAFF_INBOX_EMAIL = STAFF_INBOX


def test_a_message_is_stored_and_queued_for_the_staff_inbox(catalog):
    consultation = ConsultationFactory()

    message = consultation_message_from_organization(
        consultation=consultation, body="  Please correct our phone number.  "
    )

    assert message.direction == Message.Direction.FROM_ORGANIZATION
    assert message.body == "Please correct our phone number."
    email = OutboundEmail.objects.get(kind="message_to_staff")
    assert email.to_address == STAFF_INBOX
    assert email.dedup_key == f"message_to_staff:{message.pk}"
    assert email.context["body"] == "Please correct our phone number."
    assert email.context["reference"] == consultation.reference


def test_a_message_goes_to_the_assigned_advisor(catalog):
    advisor = UserFactory(email="yael@example.org")
    consultation = ConsultationFactory(advisor=advisor, status="assigned")

    consultation_message_from_organization(consultation=consultation, body="Hi")

    assert OutboundEmail.objects.get().to_address == "yael@example.org"


def test_a_message_about_a_crisis_request_is_emailed_without_its_content(catalog):
    consultation = ConsultationFactory(crisis=True)

    consultation_message_from_organization(consultation=consultation, body="secret")

    context = OutboundEmail.objects.get().context
    assert "body" not in context
    assert "organization_name" not in context
    assert Message.objects.get().body == "secret"


def test_messages_are_allowed_on_closed_requests(catalog):
    """A correction request reaches staff whatever the status."""
    consultation = ConsultationFactory(status="completed")

    consultation_message_from_organization(consultation=consultation, body="Thanks")

    assert Message.objects.count() == 1


def test_an_empty_message_or_an_anonymized_request_is_refused(catalog):
    consultation = ConsultationFactory()
    with pytest.raises(ValidationError):
        consultation_message_from_organization(consultation=consultation, body="  ")

    Consultation.objects.filter(pk=consultation.pk).update(anonymized_at=timezone.now())
    with pytest.raises(ValidationError):
        consultation_message_from_organization(consultation=consultation, body="Hi")
    assert not Message.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_withdrawing_closes_the_request_with_history_and_tells_staff(catalog):
    consultation = ConsultationFactory()

    consultation_withdraw(consultation=consultation, reason="We found funding.")

    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.WITHDRAWN
    assert consultation.closed_at is not None
    change = StatusChange.objects.filter(consultation=consultation).last()
    assert (change.from_status, change.to_status) == ("new", "withdrawn")
    assert change.note == "We found funding."
    email = OutboundEmail.objects.get(kind="withdrawn")
    assert email.to_address == STAFF_INBOX
    assert email.context["reason"] == "We found funding."


def test_withdrawing_an_assigned_request_tells_the_advisor_too(catalog):
    advisor = UserFactory(email="yael@example.org")
    consultation = ConsultationFactory(advisor=advisor, status="in_progress")

    consultation_withdraw(consultation=consultation)

    assert set(OutboundEmail.objects.values_list("to_address", flat=True)) == {
        STAFF_INBOX,
        "yael@example.org",
    }


def test_a_crisis_withdrawal_email_carries_no_reason(catalog):
    consultation = ConsultationFactory(crisis=True)

    consultation_withdraw(consultation=consultation, reason="private")

    assert "reason" not in OutboundEmail.objects.get().context


@pytest.mark.parametrize("status", ["completed", "declined", "withdrawn"])
def test_a_closed_request_cannot_be_withdrawn(catalog, status):
    consultation = ConsultationFactory(status=status)

    with pytest.raises(ValidationError):
        consultation_withdraw(consultation=consultation)

    consultation.refresh_from_db()
    assert consultation.status == status
    assert StatusChange.objects.filter(consultation=consultation).count() == 1
    assert not OutboundEmail.objects.exists()


def test_a_lost_link_is_replaced_and_emailed_when_email_and_reference_match(
    catalog,
):
    consultation = ConsultationFactory(
        status_token="old-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        contact_email="Dana@Example.org",
        preferred_language="en",
    )

    sent = consultation_resend_status_link(
        email=" dana@example.ORG ", reference=f" {consultation.reference.lower()} "
    )

    assert sent
    assert (
        consultation_get_by_status_token(
            token="old-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        )
        is None
    )
    email = OutboundEmail.objects.get(kind="status_link")
    assert email.to_address == "Dana@Example.org"
    assert email.language == "en"
    assert email.dedup_key == f"status_link:{consultation.pk}:1"
    url = email.context["secret_status_url"]
    assert url.startswith("http://testserver/en/request/status/")
    new_token = url.rstrip("/").rsplit("/", 1)[1]
    assert consultation_get_by_status_token(token=new_token) == consultation


def test_each_resend_is_its_own_outbox_row(catalog):
    consultation = ConsultationFactory()
    for _ in range(2):
        consultation_resend_status_link(
            email=consultation.contact_email, reference=consultation.reference
        )

    assert list(
        OutboundEmail.objects.order_by("pk").values_list("dedup_key", flat=True)
    ) == [f"status_link:{consultation.pk}:1", f"status_link:{consultation.pk}:2"]


def test_a_mismatch_or_an_anonymized_request_sends_nothing(catalog):
    consultation = ConsultationFactory(status_token="keep-me-aaaaaaaaaaaaaaaaaaaaaa")
    other = ConsultationFactory()

    assert not consultation_resend_status_link(
        email=consultation.contact_email, reference=other.reference
    )
    assert not consultation_resend_status_link(
        email="someone@example.org", reference=consultation.reference
    )
    Consultation.objects.filter(pk=consultation.pk).update(anonymized_at=timezone.now())
    assert not consultation_resend_status_link(
        email=consultation.contact_email, reference=consultation.reference
    )
    assert not OutboundEmail.objects.exists()
    consultation.refresh_from_db()
    assert (
        consultation.status_token_hash
        == ConsultationFactory.build(
            status_token="keep-me-aaaaaaaaaaaaaaaaaaaaaa"
        ).status_token_hash
    )
