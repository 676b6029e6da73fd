"""Deleting a request in the admin (superusers only) deletes its stored
files and the originals of the mail received about it, once the deletion
commits; a deletion that rolls back keeps them."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from consultations.models import Attachment, Consultation, InboundMail
from consultations.services.attachments import attachments_add
from consultations.services.retention import consultation_delete
from tests.consultations.conftest import ConsultationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _request_with_files(number: int):
    consultation = ConsultationFactory()
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("דוח.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )
    mail = InboundMail(
        message_id=f"<reply-{number}@example.org>",
        status=InboundMail.Status.STORED,
        consultation=consultation,
        from_address="dana@example.org",
    )
    mail.raw.save("raw", ContentFile(b"From: dana@example.org\r\n\r\nhi"), save=False)
    mail.save()
    storage = Attachment._meta.get_field("file").storage
    names = [attachment.file.name, mail.raw.name]
    assert all(storage.exists(name) for name in names)
    assert any(name.startswith("inbound/") for name in names)
    return consultation, names, storage


def test_the_admins_delete_removes_the_stored_files(
    client, superuser, django_capture_on_commit_callbacks
):
    consultation, names, storage = _request_with_files(1)
    client.force_login(superuser)
    url = reverse("admin:consultations_consultation_delete", args=[consultation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    assert not any(storage.exists(name) for name in names)
    mail = InboundMail.objects.get(message_id="<reply-1@example.org>")
    assert (mail.from_address, mail.raw.name, mail.consultation) == ("", "", None)


def test_the_admins_bulk_delete_removes_every_requests_files(
    client, superuser, django_capture_on_commit_callbacks
):
    first, first_names, storage = _request_with_files(1)
    second, second_names, _ = _request_with_files(2)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consultations_consultation_changelist"),
            {
                "action": "delete_selected",
                ACTION_CHECKBOX_NAME: [first.pk, second.pk],
                "post": "yes",
            },
        )
    assert response.status_code == 302
    assert not Consultation.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert not any(storage.exists(name) for name in first_names + second_names)


def test_a_deletion_that_rolls_back_keeps_the_files(
    superuser, django_capture_on_commit_callbacks
):
    consultation, names, storage = _request_with_files(1)
    pk = consultation.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            consultation_delete(consultation=consultation, actor=superuser)
            raise RuntimeError("the deletion fails after it")
    assert not callbacks
    assert Consultation.objects.filter(pk=pk).exists()
    assert all(storage.exists(name) for name in names)


def test_only_a_superuser_deletes(advisor):
    consultation, names, storage = _request_with_files(1)
    with pytest.raises(PermissionDenied):
        consultation_delete(consultation=consultation, actor=advisor)
    assert all(storage.exists(name) for name in names)
