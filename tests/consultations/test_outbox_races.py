"""The outbox against a real mail server on loopback that is silent or slow,
and against staff acting while a worker delivers: `sending` means only
"handed to the mail server, outcome unknown", and no late result undoes
what happened meanwhile (anonymization, a staff decision)."""

import signal
import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection

from consultations.models import OutboundEmail
from consultations.services.outbox import (
    OutboxDeliveryError,
    outbound_email_deliver,
    outbound_email_requeue,
    outbound_emails_deliver,
)
from consultations.services.retention import consultation_anonymize
from tests.factories import ConsultationFactory, OutboundEmailFactory
from tests.smtp_support import smtp_server_factory  # noqa: F401 (a fixture)


@pytest.mark.django_db(transaction=True)
def test_anonymization_wins_over_a_delivery_that_finishes_after_it(
    smtp_server_factory,  # noqa: F811
    catalog,
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


def _statuses(rows) -> list[tuple[str, int]]:
    return [
        OutboundEmail.objects.values_list("status", "attempts").get(pk=row.pk)
        for row in rows
    ]


@pytest.mark.django_db(transaction=True)
def test_a_silent_mail_server_holds_one_row_in_sending_not_the_batch(
    smtp_server_factory,  # noqa: F811
    settings,
):
    """The mail server accepts connections and never answers. While the
    worker waits on it, only the row being sent is `sending`; the rest of
    the batch is still pending. Each row then times out and is pending
    again, with its backoff."""
    rows = [OutboundEmailFactory() for _ in range(3)]
    server = smtp_server_factory(silent=True)
    settings.EMAIL_TIMEOUT = 2  # time enough to look while the worker waits
    seen_while_waiting = []

    def watch():
        server.connected.wait(timeout=10)
        try:
            seen_while_waiting.extend(_statuses(rows))
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    with pytest.raises(OutboxDeliveryError):
        outbound_emails_deliver(email_ids=[row.pk for row in rows])
    watcher.join(timeout=10)

    assert seen_while_waiting == [("sending", 1), ("pending", 0), ("pending", 0)]
    assert _statuses(rows) == [("pending", 1)] * 3
    assert server.connections == 3


@pytest.fixture
def soft_time_limit_on_signal():
    """Celery's prefork pool raises SoftTimeLimitExceeded from a SIGUSR1
    handler in the task's thread; this installs the same handler."""

    def raise_soft_time_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGUSR1, raise_soft_time_limit)
    yield lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, previous)


@pytest.mark.django_db(transaction=True)
def test_the_soft_time_limit_stops_the_batch_and_puts_the_unsent_row_back(
    smtp_server_factory,  # noqa: F811
    soft_time_limit_on_signal,
):
    """The soft time limit strikes while the second row waits for a silent
    mail server: it is not swallowed as a mail error, the batch stops there,
    the second row is pending again as if never claimed, and the third was
    never touched. No row is left `sending`."""
    rows = [OutboundEmailFactory() for _ in range(3)]

    def time_is_up_at_the_second_row(count):
        if count == 2:
            soft_time_limit_on_signal()

    smtp_server_factory(silent=True, on_connect=time_is_up_at_the_second_row)

    with pytest.raises(SoftTimeLimitExceeded):
        outbound_emails_deliver(email_ids=[row.pk for row in rows])

    assert _statuses(rows) == [("pending", 1), ("pending", 0), ("pending", 0)]
    second = OutboundEmail.objects.get(pk=rows[1].pk)
    assert second.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_send_again_on_a_row_the_worker_sent_meanwhile_is_refused(
    smtp_server_factory,  # noqa: F811
    staff_member,
):
    """Staff load the outbox list while a worker is sending a row (it shows
    `sending`); the worker finishes; staff then choose "send again" on what
    their page showed. The row is read again, locked: it is sent, so it is
    refused and the email goes out once."""
    row = OutboundEmailFactory()
    loaded_by_staff = []

    def staff_load_the_list(data):
        try:
            loaded_by_staff.append(OutboundEmail.objects.get(pk=row.pk))
        finally:
            connection.close()

    server = smtp_server_factory(before_answering=staff_load_the_list)
    worker = threading.Thread(
        target=lambda: (outbound_email_deliver(email_id=row.pk), connection.close())
    )
    worker.start()
    worker.join(timeout=10)
    (stale,) = loaded_by_staff
    assert stale.status == OutboundEmail.Status.SENDING

    with pytest.raises(ValidationError):
        outbound_email_requeue(email=stale, actor=staff_member)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert len(server.messages) == 1
    assert not LogEntry.objects.filter(object_id=str(row.pk)).exists()


@pytest.mark.django_db
def test_send_again_records_who_decided_it(staff_member):
    """A failed row sent again is pending, and the admin's log names the
    staff member and what the row was."""
    row = OutboundEmailFactory(status=OutboundEmail.Status.FAILED)

    outbound_email_requeue(email=row, actor=staff_member)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING
    entry = LogEntry.objects.get(object_id=str(row.pk))
    assert (entry.user, entry.action_flag) == (staff_member, CHANGE)
    assert entry.content_type.model_class() is OutboundEmail
    assert "failed" in entry.get_change_message()
