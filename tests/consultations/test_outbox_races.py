"""The outbox against a real mail server on loopback that is silent or slow,
and against staff acting while a worker delivers: `sending` means only
"handed to the mail server, outcome unknown", and no late result undoes
what happened meanwhile (anonymization, a staff decision)."""

import pytest
from django.db import connection

from consultations.models import OutboundEmail
from consultations.services.outbox import outbound_email_deliver
from consultations.services.retention import consultation_anonymize
from tests.factories import ConsultationFactory, OutboundEmailFactory
from tests.smtp_support import smtp_server_factory  # noqa: F401 (a fixture)


@pytest.mark.django_db(transaction=True)
def test_anonymization_wins_over_a_delivery_that_finishes_after_it(
    smtp_server_factory,  # noqa: F811
):
    """Staff anonymize the request while the mail server holds its email:
    when the server finally answers, the row stays failed and erased; the
    context read before sending (the contact's name) is not written back."""
    consultation = ConsultationFactory()
    row = OutboundEmailFactory(consultation=consultation)

    def anonymize_meanwhile(data):
        # Another connection, as staff in the admin while the worker waits.
        try:
            consultation_anonymize(consultation=consultation, reason="Asked to")
        finally:
            connection.close()

    server = smtp_server_factory(before_answering=anonymize_meanwhile)

    outbound_email_deliver(email_id=row.pk)

    assert len(server.messages) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert row.context == {}
    assert row.to_address == ""
    assert row.sent_at is None
