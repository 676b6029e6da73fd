"""The outbox delivers each email once: through a real worker on the real
Redis, later through the sweep when the broker was down, once even when its
task runs twice, and again after the mail server failed."""

import re
import smtplib
import time
import uuid
from datetime import datetime, timedelta

import pytest
from celery.signals import before_task_publish
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, OutboundEmail
from consultations.services.outbox import (
    OutboxDeliveryError,
    _sweep_requested_key,
    outbound_email_deliver,
    outbound_emails_deliver,
    outbox_deliver_due,
    outbox_enqueue,
    outbox_sweep,
)
from consultations.tasks import deliver_outbound_emails_task
from shatil_portal.celery import app
from tests.factories import OutboundEmailFactory, request_form_data

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


class FailingBackend(BaseEmailBackend):
    """A mail server that hangs up."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(LocmemBackend):
    """A mail server that refuses one recipient and takes the rest; it
    counts the connections opened to it."""

    opened = 0

    def open(self):
        if getattr(self, "is_open", False):
            return False
        self.is_open = True
        RefusingBackend.opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, email_messages):
        for message in email_messages:
            if "refused@" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No")})
        return super().send_messages(email_messages)


def _reset_broker_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker():
    """Point the configured Celery app at a port where nothing listens; one
    connection attempt only, so the test does not wait for retries."""
    url, options = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = UNREACHABLE_BROKER
    app.conf.broker_transport_options = {**options, "max_retries": 0}
    _reset_broker_connections()
    yield
    app.conf.broker_url, app.conf.broker_transport_options = url, options
    _reset_broker_connections()


def wait_for_mail(count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox) >= count, f"{len(mail.outbox)} of {count} emails sent"


@pytest.mark.worker
def test_a_real_worker_on_redis_delivers_the_confirmation(
    celery_worker, catalog, client, settings
):
    settings.RATELIMIT_ENABLE = False
    settings.STAFF_INBOX_EMAIL = "staff@example.org"

    response = client.post("/en/request/", request_form_data())

    assert response.status_code == 302
    wait_for_mail(2)
    consultation = Consultation.objects.get()
    confirmation = next(m for m in mail.outbox if m.to == ["dana@example.org"])
    assert consultation.reference in confirmation.subject
    assert "/request/status/" in confirmation.body
    assert any(m.to == ["staff@example.org"] for m in mail.outbox)
    deadline = time.monotonic() + 5
    while OutboundEmail.objects.exclude(status="sent").exists():
        assert time.monotonic() < deadline, "rows not marked sent"
        time.sleep(0.05)
    row = OutboundEmail.objects.get(kind="confirmation")
    assert row.attempts == 1
    assert "secret_status_url" not in row.context


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_submission_succeeds_and_the_sweep_sends_once(
    catalog, client, settings, unreachable_broker
):
    """Through Django's real after-commit path, as in production."""
    settings.RATELIMIT_ENABLE = False

    response = client.post("/en/request/", request_form_data())

    assert response.status_code == 302
    assert Consultation.objects.count() == 1
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []

    # Within the grace period the sweep leaves fresh rows to their tasks.
    assert outbox_sweep() == 0
    later = timezone.now() + timedelta(minutes=5)
    assert outbox_sweep(now=later) == 2
    assert outbox_sweep(now=later) == 0
    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_altogether_a_visitor_still_sends_a_request(
    catalog, settings, unreachable_broker
):
    """Cache and broker both unreachable, rate limits on, pages cached as in
    production: the form opens, the request is saved and confirmed, and its
    emails wait in the outbox until the sweep sends them."""
    settings.DEBUG = False
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "shatil_portal.cache.RedisCache",
            "LOCATION": UNREACHABLE_BROKER,
        }
    }
    browser = Client(enforce_csrf_checks=True)

    form = browser.get("/en/request/?track=project-consulting")
    html = form.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    key = re.search(r'name="submission_key" value="([^"]+)"', html)[1]
    posted = browser.post(
        "/en/request/",
        request_form_data(csrfmiddlewaretoken=token, submission_key=key),
    )
    received = browser.get(posted["Location"])

    consultation = Consultation.objects.get()
    assert form.status_code == 200
    assert posted.status_code == 302
    assert consultation.reference in received.content.decode()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}
    later = timezone.now() + timedelta(minutes=5)
    assert outbox_sweep(now=later) == 2
    assert len(mail.outbox) == 2


@pytest.mark.worker
def test_the_worker_keeps_its_database_connection_from_one_task_to_the_next(
    celery_worker,
):
    """Celery's Django fixup would connect afresh for every task, which cost
    more than the email it sent (settings.CELERY_DB_REUSE_MAX)."""
    from tests.worker_tasks import record_database_backend

    def backend_of_a_task() -> int:
        key = f"backend-{uuid.uuid4()}"
        record_database_backend.delay(key)
        deadline = time.monotonic() + 10
        while cache.get(key) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return cache.get(key)

    first = backend_of_a_task()
    second = backend_of_a_task()

    assert first is not None
    assert first == second


@pytest.mark.django_db
def test_a_task_run_twice_for_one_row_sends_one_email():
    row = OutboundEmailFactory()

    first = deliver_outbound_emails_task.apply(args=[[row.pk]])
    second = deliver_outbound_emails_task.apply(args=[[row.pk]])

    assert (first.result, second.result) == (1, 0)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert row.attempts == 1


@pytest.mark.django_db
def test_a_row_left_sending_by_a_crash_is_not_resent_by_the_sweep():
    row = OutboundEmailFactory(
        status=OutboundEmail.Status.SENDING,
        next_attempt_at=timezone.now() - timedelta(hours=1),
    )

    assert outbox_sweep() == 0
    assert not outbound_email_deliver(email_id=row.pk)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_mail_server_failure_leaves_the_row_pending_and_a_later_sweep_sends_it(
    settings,
):
    row = OutboundEmailFactory()
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with pytest.raises(OutboxDeliveryError):
        outbound_email_deliver(email_id=row.pk)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING
    assert row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert "secret_status_url" in row.context
    # Not due again before its backoff has passed.
    assert outbox_sweep() == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=5)) == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert "secret_status_url" not in row.context


@pytest.mark.django_db
def test_the_row_fails_for_good_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = OutboundEmailFactory()

    for _ in range(2):
        with pytest.raises(OutboxDeliveryError):
            outbound_email_deliver(email_id=row.pk)
        OutboundEmail.objects.filter(pk=row.pk, status="pending").update(
            next_attempt_at=timezone.now()
        )

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert mail.outbox == []


@pytest.mark.django_db
def test_rows_queued_together_go_over_one_connection_and_one_refusal_spares_the_rest(
    settings,
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.opened = 0
    refused = OutboundEmailFactory(to_address="refused@example.org")
    accepted = [OutboundEmailFactory(to_address=f"ok{n}@example.org") for n in (1, 2)]
    rows = [accepted[0], refused, accepted[1]]

    with pytest.raises(OutboxDeliveryError):
        outbound_emails_deliver(email_ids=[row.pk for row in rows])

    assert sorted(message.to[0] for message in mail.outbox) == [
        "ok1@example.org",
        "ok2@example.org",
    ]
    statuses = dict(OutboundEmail.objects.values_list("to_address", "status"))
    assert statuses == {
        "ok1@example.org": "sent",
        "ok2@example.org": "sent",
        "refused@example.org": "pending",
    }
    # One connection for the whole batch.
    assert RefusingBackend.opened == 1

    # The task's retry sends only the row still pending.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_emails_deliver(email_ids=[row.pk for row in rows]) == 1
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_sweep_after_an_outage_sends_the_backlog_over_one_connection(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.opened = 0
    overdue = timezone.now() - timedelta(minutes=10)
    for address in ("ok1@example.org", "refused@example.org", "ok2@example.org"):
        OutboundEmailFactory(to_address=address, next_attempt_at=overdue)

    assert outbox_sweep() == 2

    assert RefusingBackend.opened == 1
    statuses = dict(OutboundEmail.objects.values_list("to_address", "status"))
    assert statuses["refused@example.org"] == "pending"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ok1@example.org",
        "ok2@example.org",
    ]


# A commit asks for a sweep; while one is asked for and has not started, the
# next commits publish no message of their own (counted by Celery's own
# before_task_publish signal).


@pytest.fixture
def sweeps_asked_for():
    """The sweep messages published, from a clean mark."""
    published = []

    def count(sender=None, headers=None, **kwargs):
        if sender == "consultations.tasks.outbox_deliver_due_task":
            published.append(headers or {})

    before_task_publish.connect(count, weak=False)
    yield published
    before_task_publish.disconnect(count)
    cache.delete(_sweep_requested_key())


def _commit_an_email(address: str) -> OutboundEmail:
    context = {
        "reference": "SH-2026-00001",
        "contact_name": "Dana Levi",
        "secret_status_url": "http://testserver/request/status/secret/",
    }
    with transaction.atomic():
        return outbox_enqueue(
            kind=OutboundEmail.Kind.STATUS_LINK,
            to_address=address,
            dedup_key=f"test:{uuid.uuid4()}",
            context=context,
        )


def _sweep_asked_for_and_not_started() -> None:
    # What a commit leaves when it asks for a sweep (a worker of the suite
    # may be running: a published message would start at once).
    cache.add(_sweep_requested_key(), "1", timeout=60)


def _wait_until_sent(rows, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    pks = [row.pk for row in rows]
    while OutboundEmail.objects.filter(pk__in=pks).exclude(status="sent").exists():
        assert time.monotonic() < deadline, "rows not sent"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_commits_while_a_sweep_is_asked_for_publish_no_message_of_their_own(
    sweeps_asked_for,
):
    _sweep_asked_for_and_not_started()

    first = _commit_an_email("first@example.org")
    second = _commit_an_email("second@example.org")

    assert sweeps_asked_for == []
    # The sweep asked for takes both, over one connection, once.
    assert outbox_deliver_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "first@example.org",
        "second@example.org",
    ]
    _wait_until_sent([first, second])
    # Once it has started, the next commit asks for another.
    _commit_an_email("third@example.org")
    assert len(sweeps_asked_for) == 1


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_as_the_sweep_starts_is_never_left_behind(
    sweeps_asked_for, monkeypatch
):
    """The sweep takes its mark off before it looks for rows: a commit just
    after that is either found by it or asks for a sweep of its own."""
    from consultations.services import outbox

    _sweep_asked_for_and_not_started()
    first = _commit_an_email("first@example.org")
    late = []
    real_due_ids = outbox.outbox_due_ids

    def commit_as_the_sweep_looks(*args, **kwargs):
        if not late:
            late.append(_commit_an_email("late@example.org"))
        return real_due_ids(*args, **kwargs)

    monkeypatch.setattr(outbox, "outbox_due_ids", commit_as_the_sweep_looks)
    outbox_deliver_due()

    # The late commit found no mark and asked for a sweep too; between the
    # two sweeps each row went out once.
    assert len(sweeps_asked_for) == 1
    _wait_until_sent([first, *late])
    assert sorted(m.to[0] for m in mail.outbox) == [
        "first@example.org",
        "late@example.org",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_asked_for_starts_a_moment_later_to_gather_the_next_commits(
    sweeps_asked_for, settings
):
    settings.OUTBOX_SWEEP_DELAY_SECONDS = 1
    before = timezone.now()

    _commit_an_email("first@example.org")
    _commit_an_email("second@example.org")

    (headers,) = sweeps_asked_for
    eta = datetime.fromisoformat(headers["eta"])
    assert (
        before + timedelta(seconds=0.9)
        <= eta
        <= timezone.now() + timedelta(seconds=1.1)
    )


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_next_commit_asks_again(
    sweeps_asked_for, unreachable_broker
):
    _commit_an_email("first@example.org")

    assert cache.get(_sweep_requested_key()) is None
