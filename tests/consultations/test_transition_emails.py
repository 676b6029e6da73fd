"""The emails the transitions send: queued in the outbox in the same
transaction, delivered after commit, in the organization's language, with
replies going to the advisor once one is assigned."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from consultations.models import Consultation, OutboundEmail
from consultations.services import transitions
from tests.factories import ConsultationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Status = Consultation.Status


def _sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_assignment_tells_the_organization_in_arabic_who_will_contact_them(
    coordinator, advisor, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(
        history=False,
        preferred_language="ar",
        preferred_contact_method=Consultation.ContactMethod.PHONE,
        preferred_contact_times="Sunday mornings",
    )

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    (message,) = _sent_to(consultation.contact_email)
    assert consultation.reference in message.subject
    assert "Yael" in message.body
    assert "Sunday mornings" in message.body
    assert advisor.last_name not in message.body  # first name only
    assert message.reply_to == [advisor.email]
    html, _ = message.alternatives[0]
    assert 'dir="rtl"' in html
    assert 'lang="ar"' in html
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ADVISOR_ASSIGNED)
    assert row.language == "ar"
    assert row.status == OutboundEmail.Status.SENT


def test_assignment_tells_the_advisor_with_the_request_link(
    coordinator, advisor, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(history=False)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    (message,) = _sent_to(advisor.email)
    assert consultation.reference in message.subject
    assert f"http://testserver/workspace/requests/{consultation.pk}/" in message.body
    assert consultation.organization.name in message.body


def test_a_crisis_assignment_tells_the_advisor_only_the_reference_and_link(
    coordinator, advisor, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(history=False, crisis=True)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    (message,) = _sent_to(advisor.email)
    html, _ = message.alternatives[0]
    for part in (message.subject, message.body, html):
        assert consultation.organization.name not in part
        assert consultation.goal not in part
    assert consultation.reference in message.body
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR)
    assert set(row.context) == {"reference", "advisor_first_name", "url", "is_crisis"}


def test_an_advisor_gets_the_notice_in_their_own_language(
    coordinator, make_advisor, django_capture_on_commit_callbacks
):
    """The language of an advisor's emails is their profile's, even when
    they speak Hebrew too."""
    advisor = make_advisor(languages=["he", "en"], preferred_language="en")
    consultation = ConsultationFactory(history=False)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR)
    assert row.language == "en"
    assert "/en/workspace/requests/" in row.context["url"]


def test_completion_emails_the_organization_with_the_advisor_as_reply_to(
    advisor, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(
        history=False,
        status=Status.IN_PROGRESS,
        advisor=advisor,
        preferred_language="en",
    )

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_complete(
            consultation=consultation, actor=advisor, outcome="nothing_yet"
        )

    (message,) = _sent_to(consultation.contact_email)
    assert "completed" in message.subject
    assert message.reply_to == [advisor.email]


def test_a_decline_carries_the_note_and_replies_to_the_coordinator_who_declined(
    coordinator, advisor, django_capture_on_commit_callbacks
):
    """The decline says "reply to this email": the reply reaches the person
    who made the decision, not the advisor who had the request."""
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor, preferred_language="en"
    )

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_decline(
            consultation=consultation,
            actor=coordinator,
            note="Try the legal aid clinic.",
        )

    (message,) = _sent_to(consultation.contact_email)
    assert "Try the legal aid clinic." in message.body
    assert message.reply_to == [coordinator.email]


@pytest.mark.parametrize("what_stopped", ["account", "advisor profile"])
def test_replies_go_to_the_staff_inbox_once_the_advisor_is_no_longer_active(
    coordinator, advisor, settings, django_capture_on_commit_callbacks, what_stopped
):
    """An advisor who left (the account or only the advisor profile made
    inactive) no longer receives the organization's replies."""
    consultation = ConsultationFactory(
        status=Status.IN_PROGRESS, advisor=advisor, preferred_language="en"
    )
    if what_stopped == "account":
        advisor.is_active = False
        advisor.save(update_fields=["is_active"])
    else:
        advisor.advisor_profile.is_active = False
        advisor.advisor_profile.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_complete(
            consultation=consultation, actor=coordinator, outcome="nothing_yet"
        )

    (message,) = _sent_to(consultation.contact_email)
    assert message.reply_to == [settings.STAFF_INBOX_EMAIL]


def test_one_reply_to_rule_serves_every_email():
    """The intake and the status page use the same function as the
    transitions; the second name is gone. Every email to the organization
    is built by notices.py, which alone asks for the reply address."""
    from consultations.services import intake, notices, requester

    assert not hasattr(intake, "organization_reply_to")
    assert intake.organization_draft is notices.organization_draft
    assert requester.notify_organization is notices.notify_organization
    for module in (intake, requester):
        assert not hasattr(module, "consultation_reply_to")


def test_reassignment_tells_the_new_advisor_and_the_organization(
    coordinator, advisor, other_advisor, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    with django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_reassign(
            consultation=consultation, advisor=other_advisor, actor=coordinator
        )

    assert len(_sent_to(other_advisor.email)) == 1
    assert _sent_to(advisor.email) == []
    (notice,) = _sent_to(consultation.contact_email)
    assert "Omar" in notice.body
    assert notice.reply_to == [other_advisor.email]


def test_two_reassignments_queue_two_notices_rather_than_one_deduplicated(
    coordinator, advisor, other_advisor
):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    transitions.consultation_reassign(
        consultation=consultation, advisor=other_advisor, actor=coordinator
    )
    transitions.consultation_reassign(
        consultation=consultation, advisor=advisor, actor=coordinator
    )

    assert (
        OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR
        ).count()
        == 2
    )


def test_a_refused_move_queues_no_email(coordinator):
    consultation = ConsultationFactory(history=False, status=Status.COMPLETED)

    with pytest.raises(ValidationError):
        transitions.consultation_decline(
            consultation=consultation, actor=coordinator, note="No."
        )
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("urgency", [Consultation.Urgency.URGENT, "normal"])
def test_the_advisors_notice_is_written_in_the_advisors_language(
    coordinator, make_advisor, urgency
):
    """An Arabic-speaking advisor's notice of a (non-crisis) request names
    the track and the due moment in Arabic, says whether it is urgent, and
    is filed under the request, as is the organization's notice."""
    from django.utils import translation

    from consultations.services.notices import format_local

    arabic_advisor = make_advisor(
        first_name="Rana", languages=["ar"], preferred_language="ar"
    )
    consultation = ConsultationFactory(history=False, urgency=urgency)

    transitions.consultation_assign_advisor(
        consultation=consultation, advisor=arabic_advisor, actor=coordinator
    )

    notice = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR)
    assert notice.language == "ar"
    assert notice.consultation_id == consultation.pk
    with translation.override("ar"):
        track_title = str(consultation.track.title)
    due = format_local(moment=consultation.first_response_due_at, language="ar")
    assert due != format_local(moment=consultation.first_response_due_at, language="en")
    assert notice.context["track_title"] == track_title
    assert notice.context["due"] == due
    assert notice.context["is_urgent"] is (urgency == Consultation.Urgency.URGENT)
    organization_notice = OutboundEmail.objects.get(
        kind=OutboundEmail.Kind.ADVISOR_ASSIGNED
    )
    assert organization_notice.consultation_id == consultation.pk
    assert organization_notice.context["contact_name"] == consultation.contact_name
