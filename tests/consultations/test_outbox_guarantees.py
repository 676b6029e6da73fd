"""The outbox's numbers and promises, pinned one by one: the retry backoff,
the default number of attempts, one mail connection per batch, the moment
a row was sent, a refused "send again", a key queued once, and what
delivering one row answers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations.models import OutboundEmail
from consultations.services.outbox import (
    OutboxDeliveryError,
    outbound_email_deliver,
    outbound_email_requeue,
    outbound_emails_deliver,
    outbox_enqueue,
    outbox_max_attempts,
    outbox_retry_delay,
)
from tests.factories import ConsultationFactory, OutboundEmailFactory
from tests.smtp_support import smtp_server_factory  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_backoff_doubles_from_one_minute_up_to_an_hour():
    """1, 2, 4 ... minutes after the first, second, third failed attempt;
    never more than an hour."""
    minutes = [
        outbox_retry_delay(attempts=n) / timedelta(minutes=1) for n in range(0, 10)
    ]
    assert minutes == [1, 1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_failed_attempt_is_retried_after_its_backoff(settings):
    """The third failed attempt waits four minutes."""
    settings.EMAIL_BACKEND = "tests.consultations.test_outbox_delivery.FailingBackend"
    row = OutboundEmailFactory(attempts=2)
    before = timezone.now()

    with pytest.raises(OutboxDeliveryError):
        outbound_email_deliver(email_id=row.pk)

    row.refresh_from_db()
    assert row.attempts == 3
    assert before + timedelta(minutes=4) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + timedelta(minutes=4)


def test_six_attempts_by_default_then_the_row_fails(settings):
    """OUTBOX_MAX_ATTEMPTS is six by default (settings.py): the fifth
    failure leaves a row pending, the sixth fails it for good."""
    settings.EMAIL_BACKEND = "tests.consultations.test_outbox_delivery.FailingBackend"
    assert outbox_max_attempts() == 6
    fifth = OutboundEmailFactory(attempts=4)
    sixth = OutboundEmailFactory(attempts=5)

    for row in (fifth, sixth):
        with pytest.raises(OutboxDeliveryError):
            outbound_email_deliver(email_id=row.pk)

    fifth.refresh_from_db()
    sixth.refresh_from_db()
    assert (fifth.status, sixth.status) == ("pending", "failed")


@pytest.mark.django_db(transaction=True)
def test_a_batch_goes_over_one_smtp_connection(smtp_server_factory):  # noqa: F811
    """Three rows delivered together: a real mail server sees one
    connection and three messages."""
    rows = [OutboundEmailFactory() for _ in range(3)]
    server = smtp_server_factory()

    assert outbound_emails_deliver(email_ids=[row.pk for row in rows]) == 3

    assert len(server.messages) == 3
    assert server.connections == 1


def test_a_sent_row_records_when_it_was_sent():
    row = OutboundEmailFactory()
    before = timezone.now()

    outbound_email_deliver(email_id=row.pk)

    row.refresh_from_db()
    assert before <= row.sent_at <= timezone.now()


@pytest.mark.parametrize("status", ["sent", "pending"])
def test_send_again_refuses_a_row_that_is_sent_or_still_pending(status, staff_member):
    """Only failed rows, and rows stuck in `sending`, can be sent again."""
    row = OutboundEmailFactory(status=status)

    with pytest.raises(ValidationError):
        outbound_email_requeue(email=row, actor=staff_member)

    row.refresh_from_db()
    assert row.status == status


def test_a_key_queued_twice_is_one_row_and_one_delivery(
    django_capture_on_commit_callbacks,
):
    """The second call with the same key returns the first row and asks
    no worker to deliver it again."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = outbox_enqueue(
            kind="status_link", to_address="a@example.org", dedup_key="once"
        )
        second = outbox_enqueue(
            kind="status_link", to_address="a@example.org", dedup_key="once"
        )

    assert first.pk == second.pk
    assert OutboundEmail.objects.filter(dedup_key="once").count() == 1
    assert len(callbacks) == 1


def test_delivering_one_row_answers_whether_this_call_sent_it():
    row = OutboundEmailFactory()

    assert outbound_email_deliver(email_id=row.pk) is True
    assert outbound_email_deliver(email_id=row.pk) is False


def test_a_queued_row_keeps_what_it_was_given_and_is_delivered_after_commit(
    django_capture_on_commit_callbacks, eager_celery
):
    """Hebrew and no Reply-To unless told otherwise, filed under its request
    with its key; after commit a worker delivers that very row."""
    consultation = ConsultationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        row = outbox_enqueue(
            kind=OutboundEmail.Kind.STATUS_LINK,
            to_address="a@example.org",
            dedup_key="given",
            consultation=consultation,
            context={
                "reference": consultation.reference,
                "contact_name": "Dana Levi",
                "secret_status_url": "http://testserver/request/status/secret/",
            },
        )

    row.refresh_from_db()
    assert (row.dedup_key, row.language, row.reply_to, row.consultation_id) == (
        "given",
        "he",
        "",
        consultation.pk,
    )
    assert row.status == OutboundEmail.Status.SENT


def test_a_queued_row_keeps_its_language_reply_to_and_context():
    row = outbox_enqueue(
        kind=OutboundEmail.Kind.STATUS_LINK,
        to_address="a@example.org",
        dedup_key="told",
        language="ar",
        reply_to="advisor@example.org",
        context={"reference": "SH-2026-00001"},
    )

    row.refresh_from_db()
    assert (row.language, row.reply_to, row.context) == (
        "ar",
        "advisor@example.org",
        {"reference": "SH-2026-00001"},
    )


def test_a_failure_is_recorded_on_its_own_row_only():
    """Another row in `sending` (handed to the mail server by another task)
    keeps its state when this one fails."""
    from consultations.services.outbox import outbound_email_record_failure

    failing = OutboundEmailFactory(status=OutboundEmail.Status.SENDING, attempts=1)
    other = OutboundEmailFactory(status=OutboundEmail.Status.SENDING, attempts=1)

    outbound_email_record_failure(email=failing, error=OSError("refused"))

    failing.refresh_from_db()
    other.refresh_from_db()
    assert failing.status == OutboundEmail.Status.PENDING
    assert failing.last_error == "OSError: refused"
    assert (other.status, other.last_error) == (OutboundEmail.Status.SENDING, "")
