"""Emails carry a Message-ID of the portal's own domain (not the machine's
"localhost"), and every email about a request names the request's root id in
In-Reply-To and References, so that mail clients thread them together.
Checked on the messages as they are written out, byte for byte."""

import email
from email import policy
from pathlib import Path

import pytest

from consultations.models import Consultation, OutboundEmail
from consultations.services.outbox import outbound_emails_deliver
from consultations.services.transitions import consultation_assign_advisor
from tests.factories import AdvisorProfileFactory, request_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def written_mail(settings, tmp_path):
    """The file backend: each message as it would go to the mail server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.PORTAL_BASE_URL = "https://portal.shatil.example"
    settings.RATELIMIT_ENABLE = False

    def read() -> list[email.message.EmailMessage]:
        messages = []
        for path in sorted(Path(tmp_path).iterdir()):
            # The file backend separates messages with a line of dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(
                        email.message_from_bytes(chunk, policy=policy.default)
                    )
        return messages

    return read


def _deliver_all() -> None:
    pending = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
    outbound_emails_deliver(email_ids=list(pending.values_list("pk", flat=True)))


def test_a_requests_emails_thread_under_one_root_id_of_the_portals_domain(
    client, catalog, coordinator, written_mail
):
    response = client.post("/en/request/", request_form_data())
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    _deliver_all()
    advisor = AdvisorProfileFactory().user
    consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )
    _deliver_all()

    messages = written_mail()
    root = f"<request-{consultation.pk}@portal.shatil.example>"
    assert len(messages) >= 4  # confirmation, staff notice, two assignment emails
    ids = [message["Message-ID"] for message in messages]
    assert len(set(ids)) == len(ids)
    for message in messages:
        assert message["Message-ID"].endswith("@portal.shatil.example>")
        assert "localhost" not in message["Message-ID"]
        assert message["In-Reply-To"] == root
        assert message["References"] == root


def test_a_message_id_domain_of_its_own_wins(client, catalog, settings, written_mail):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mail.shatil.example"

    client.post("/en/request/", request_form_data())
    _deliver_all()

    messages = written_mail()
    assert messages
    for message in messages:
        assert message["Message-ID"].endswith("@mail.shatil.example>")
        assert message["References"].endswith("@mail.shatil.example>")
