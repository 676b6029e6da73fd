"""Staff act on received email in the admin: the list of what waits for
them (in Hebrew, Arabic and English), attaching an email to a request with
its files, discarding one; crisis requests' mail only for those who may
see them; the list's queries do not grow with its rows."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from consultations.models import Attachment, InboundMail, Message
from consultations.services.inbound import inbound_mail_receive
from tests.consultations.inbound_support import PDF, REPLY_DOMAIN, reply_mail
from tests.factories import ConsultationFactory
from tests.migration_data import restore_staff_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def intake(settings, tmp_path, db):
    settings.INBOUND_MAILBOX = str(tmp_path)
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    restore_staff_groups()


def unmatched(subject="שאלה על הבקשה", **kwargs) -> InboundMail:
    return inbound_mail_receive(
        raw=reply_mail(
            to="portal@example.org",
            sender="someone@example.com",
            subject=subject,
            files=(("הצעה.pdf", PDF, "application/pdf"),),
            **kwargs,
        )
    )


def changelist(language="he"):
    with translation.override(language):
        return reverse("admin:consultations_inboundmail_changelist")


def test_the_list_shows_what_waits_for_staff_in_each_language(
    client, coordinator, catalog
):
    held = unmatched()
    consultation = ConsultationFactory(contact_email="someone@example.com")
    stored = unmatched(subject=f"Re: {consultation.reference}")
    assert stored.status == InboundMail.Status.STORED
    client.force_login(coordinator)

    for language, title in (
        ("he", "ממתין לצוות"),
        ("ar", "بانتظار الطاقم"),
        ("en", "Waiting for staff"),
    ):
        response = client.get(changelist(language))
        assert response.status_code == 200
        content = response.content.decode()
        assert title in content
        assert held.subject in content
        assert f"/{held.pk}/change/" in content
        assert f"/{stored.pk}/change/" not in content
    everything = client.get(changelist("en"), {"handling": "all"})
    assert f"/{stored.pk}/change/" in everything.content.decode()


def test_the_list_costs_the_same_queries_for_one_row_or_many(client, coordinator):
    client.force_login(coordinator)
    unmatched()
    with CaptureQueriesContext(connection) as one:
        client.get(changelist())
    for number in range(5):
        unmatched(subject=f"שאלה {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist())
    assert response.content.decode().count("/change/") >= 6
    assert len(many) == len(one)


def test_staff_attach_an_email_to_a_request_with_its_files(
    client, coordinator, catalog
):
    held = unmatched()
    consultation = ConsultationFactory()
    client.force_login(coordinator)
    url = reverse("admin:consultations_inboundmail_change", args=[held.pk])
    page = client.get(url)
    assert "הצעה.pdf" in page.content.decode()

    response = client.post(
        url, {"decision": "attach", "reference": consultation.reference.lower()}
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == InboundMail.Status.STORED
    assert held.handled_by == coordinator
    message = Message.objects.get(consultation=consultation)
    assert message.body == "תודה, מצורף התקציב."
    assert Attachment.objects.get(message=message).name == "הצעה.pdf"


def test_an_original_the_storage_lost_is_refused_with_a_message_not_an_error(
    client, coordinator, catalog
):
    """The stored original is gone from the storage (a lost disk, a restore
    without its files): attaching says so on the page and keeps the email
    waiting; it never answers 500."""
    held = unmatched()
    held.raw.storage.delete(held.raw.name)
    consultation = ConsultationFactory()
    client.force_login(coordinator)
    url = reverse("admin:consultations_inboundmail_change", args=[held.pk])

    response = client.post(
        url,
        {"decision": "attach", "reference": consultation.reference},
        follow=True,
    )

    assert response.status_code == 200
    with translation.override("he"):
        expected = translation.gettext(
            "Its original message could not be read; it can only be discarded."
        )
    assert expected in response.content.decode()
    held.refresh_from_db()
    assert held.status == InboundMail.Status.UNMATCHED
    assert not Message.objects.filter(consultation=consultation).exists()


def test_an_unknown_reference_is_refused_on_the_form(client, coordinator):
    held = unmatched()
    client.force_login(coordinator)
    url = reverse("admin:consultations_inboundmail_change", args=[held.pk])

    response = client.post(url, {"decision": "attach", "reference": "SH-1999-00001"})

    assert response.status_code == 200
    assert "SH-1999-00001" in response.content.decode()
    held.refresh_from_db()
    assert held.status == InboundMail.Status.UNMATCHED


def test_staff_discard_an_email_and_its_content_is_erased(client, coordinator):
    held = unmatched()
    client.force_login(coordinator)

    client.post(
        changelist(),
        {"action": "discard", "_selected_action": [held.pk]},
    )

    held.refresh_from_db()
    assert held.status == InboundMail.Status.DISCARDED
    assert (held.body, held.headers, held.raw.name) == ("", "", "")


def test_mail_about_a_crisis_request_is_hidden_from_staff_without_the_permission(
    client, plain_staff, catalog
):
    crisis = ConsultationFactory(crisis=True)
    about_crisis = unmatched(subject=f"Re: {crisis.reference}")
    assert about_crisis.consultation == crisis
    plain_staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_inboundmail", "change_inboundmail"]
        )
    )
    other = unmatched()
    client.force_login(plain_staff)

    content = client.get(changelist()).content.decode()

    assert f"/{other.pk}/change/" in content
    assert f"/{about_crisis.pk}/change/" not in content
    url = reverse("admin:consultations_inboundmail_change", args=[about_crisis.pk])
    assert client.get(url).status_code in (302, 404)


# The request's own page
# ------------------------------------------------------------------------------


def request_page(consultation):
    with translation.override("he"):
        return reverse(
            "admin:consultations_consultation_change", args=[consultation.pk]
        )


def test_the_request_page_lists_its_received_email_linked_to_each(
    client, coordinator, catalog
):
    consultation = ConsultationFactory(contact_email="someone@example.com")
    stored = unmatched(subject=f"Re: {consultation.reference} תקציב")
    elsewhere = unmatched(subject="על בקשה אחרת")
    client.force_login(coordinator)

    content = client.get(request_page(consultation)).content.decode()

    assert stored.consultation == consultation
    assert "someone@example.com" in content
    assert stored.subject in content
    with translation.override("he"):
        assert str(InboundMail.Status.STORED.label) in content
        link = reverse("admin:consultations_inboundmail_change", args=[stored.pk])
    assert f'href="{link}"' in content
    assert elsewhere.subject not in content


def test_the_request_page_costs_the_same_queries_for_one_email_or_many(
    client, coordinator, catalog
):
    consultation = ConsultationFactory(contact_email="someone@example.com")
    unmatched(subject=f"Re: {consultation.reference}")
    client.force_login(coordinator)
    client.get(request_page(consultation))  # caches warmed
    with CaptureQueriesContext(connection) as one:
        client.get(request_page(consultation))
    for number in range(4):
        unmatched(subject=f"Re: {consultation.reference} {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(request_page(consultation))

    assert response.content.decode().count("/inboundmail/") >= 5
    assert len(many) == len(one)


def test_the_request_page_shows_no_received_email_to_staff_without_its_permission(
    client, plain_staff, catalog
):
    consultation = ConsultationFactory(contact_email="someone@example.com")
    stored = unmatched(subject=f"Re: {consultation.reference} סודי")
    client.force_login(plain_staff)

    response = client.get(request_page(consultation))

    assert response.status_code == 200
    assert stored.subject not in response.content.decode()
