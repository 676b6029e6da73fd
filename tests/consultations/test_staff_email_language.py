"""Emails to staff are in the staff member's language, never the
requester's: Hebrew (the organization's language) for the staff inbox and
coordinators, an advisor's own language from their profile. Their links
open the admin and the workspace in that same language (Hebrew has no
prefix). The organization's own emails stay in the organization's language.

Each email is built while the requester's page is active, as the views do
(a request sent from /ar/request/ runs with Arabic active)."""

import uuid

import pytest
from django.core import mail
from django.utils import translation

from consultations.models import Organization, OutboundEmail
from consultations.services import transitions
from consultations.services.intake import (
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
)
from consultations.services.requester import (
    consultation_message_from_organization,
    consultation_withdraw,
)
from tests.factories import ConsultationFactory, catalog_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

STAFF_INBOX = "staff@example.org"


@pytest.fixture(autouse=True)
def staff_inbox(settings):
    settings.STAFF_INBOX_EMAIL = STAFF_INBOX


def _sent_to(address):
    (message,) = [message for message in mail.outbox if message.to == [address]]
    return message


def _admin_url(consultation, prefix=""):
    return (
        f"http://testserver{prefix}/admin/consultations/consultation/"
        f"{consultation.pk}/change/"
    )


def test_an_arabic_request_notifies_the_staff_inbox_in_hebrew_with_a_hebrew_link(
    catalog, django_capture_on_commit_callbacks
):
    """Sent from /ar/request/: the organization's confirmation is Arabic with
    an /ar/ link; the staff inbox's notice is Hebrew and opens the Hebrew
    admin (no /ar/)."""
    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        consultation, token = consultation_submit(
            submission_key=uuid.uuid4(),
            organization=OrganizationDetails(
                name="جمعية المساواة",
                kind=Organization.Kind.NONPROFIT,
                registration_number="580045672",
                region="north",
                locality="الناصرة",
            ),
            contact=ContactDetails(
                name="Lina Haddad", email="lina@example.org", preferred_language="ar"
            ),
            track=catalog_track("project-consulting"),
            goal="تحسين المواصلات العامة إلى المدارس.",
            consent=True,
        )

    staff_row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.STAFF_NEW_REQUEST)
    assert staff_row.language == "he"
    staff = _sent_to(STAFF_INBOX)
    html, _ = staff.alternatives[0]
    assert 'lang="he"' in html
    assert "לפתיחת הפנייה:" in staff.body  # "Open the request:"
    assert _admin_url(consultation) in staff.body
    assert "/ar/" not in staff.body and "/ar/" not in html
    assert consultation.track.title_he in staff.body

    confirmation = _sent_to("lina@example.org")
    assert OutboundEmail.objects.get(kind="confirmation").language == "ar"
    assert f"http://testserver/ar/request/status/{token}/" in confirmation.body


def test_an_advisor_whose_profile_says_english_gets_english_with_english_links(
    coordinator, make_advisor, django_capture_on_commit_callbacks
):
    """The advisor speaks Hebrew too, but chose English for the portal's
    emails; the Arabic-speaking organization still hears in Arabic."""
    advisor = make_advisor(languages=["he", "en"], preferred_language="en")
    consultation = ConsultationFactory(history=False, preferred_language="ar")

    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    notice = _sent_to(advisor.email)
    html, _ = notice.alternatives[0]
    assert 'lang="en"' in html and 'dir="ltr"' in html
    assert f"http://testserver/en/workspace/requests/{consultation.pk}/" in (
        notice.body
    )
    assert consultation.track.title_en in notice.body
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR)
    assert row.language == "en"
    organization = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ADVISOR_ASSIGNED)
    assert organization.language == "ar"
    organization_html, _ = _sent_to(consultation.contact_email).alternatives[0]
    assert 'lang="ar"' in organization_html


def test_an_advisor_without_a_profile_choice_gets_hebrew(
    coordinator, make_advisor, django_capture_on_commit_callbacks
):
    """Hebrew is the default for an advisor who chose no language, whatever
    the request's and whatever else the advisor speaks."""
    advisor = make_advisor(languages=["ar"])
    consultation = ConsultationFactory(history=False, preferred_language="ar")

    with translation.override("ar"):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=coordinator
        )

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR)
    assert row.language == "he"
    assert row.context["url"] == (
        f"http://testserver/workspace/requests/{consultation.pk}/"
    )


def test_a_message_from_an_arabic_organization_reaches_the_inbox_in_hebrew(catalog):
    consultation = ConsultationFactory(preferred_language="ar")

    with translation.override("ar"):
        consultation_message_from_organization(consultation=consultation, body="مرحبا")

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.MESSAGE_TO_STAFF)
    assert row.to_address == STAFF_INBOX
    assert row.language == "he"
    assert row.context["staff_url"] == _admin_url(consultation)


def test_a_message_reaches_the_assigned_advisor_in_their_own_language(
    catalog, make_advisor
):
    advisor = make_advisor(languages=["he", "en"], preferred_language="en")
    consultation = ConsultationFactory(
        advisor=advisor, status="assigned", preferred_language="ar"
    )

    with translation.override("ar"):
        consultation_message_from_organization(consultation=consultation, body="مرحبا")

    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.MESSAGE_TO_STAFF)
    assert row.to_address == advisor.email
    assert row.language == "en"
    # An advisor works in the workspace (no staff status, no admin).
    assert row.context["staff_url"] == (
        f"http://testserver/en/workspace/requests/{consultation.pk}/"
    )


def test_a_withdrawal_tells_the_inbox_in_hebrew_and_the_advisor_in_theirs(
    catalog, make_advisor
):
    advisor = make_advisor(languages=["ar"], preferred_language="ar")
    consultation = ConsultationFactory(
        advisor=advisor, status="assigned", preferred_language="en"
    )

    with translation.override("en"):
        consultation_withdraw(consultation=consultation, reason="Solved")

    rows = {
        row.to_address: row
        for row in OutboundEmail.objects.filter(kind=OutboundEmail.Kind.WITHDRAWN)
    }
    assert rows[STAFF_INBOX].language == "he"
    assert rows[STAFF_INBOX].context["staff_url"] == _admin_url(consultation)
    assert rows[advisor.email].language == "ar"
    assert rows[advisor.email].context["staff_url"] == (
        f"http://testserver/ar/workspace/requests/{consultation.pk}/"
    )


def test_existing_advisors_keep_the_language_their_emails_had(make_advisor):
    """The migration that adds the preferred language keeps what the emails
    used before: Hebrew for an advisor who speaks it (or lists nothing),
    else the first language listed."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from consultations.models import AdvisorProfile

    migration = importlib.import_module(
        "consultations.migrations.0054_advisor_preferred_language"
    )
    state = MigrationExecutor(connection).loader.project_state(
        ("consultations", "0054_advisor_preferred_language")
    )
    speakers = {
        "both": make_advisor(languages=["en", "he"]),
        "arabic": make_advisor(languages=["ar", "en"]),
        "english": make_advisor(languages=["en"]),
        "none": make_advisor(languages=[]),
    }

    migration.keep_current_email_language(state.apps, None)

    chosen = dict(AdvisorProfile.objects.values_list("user__pk", "preferred_language"))
    assert {name: chosen[user.pk] for name, user in speakers.items()} == {
        "both": "he",
        "arabic": "ar",
        "english": "en",
        "none": "he",
    }
