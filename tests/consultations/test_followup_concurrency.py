"""Every follow-up job run by several workers at once, on PostgreSQL: each
person still gets each email once (row locks with SKIP LOCKED, and unique
keys in the database)."""

import threading
import time
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from consultations.models import Feedback, FollowUp, OutboundEmail, StatusChange
from consultations.services.followups import (
    feedback_requests_run,
    first_response_followups_run,
    followup_cancel,
    waiting_nudges_run,
    weekly_digest_send,
)
from consultations.services.followups.shared import _send_each
from consultations.services.retention import retention_anonymize_due
from tests.consultations.followup_support import (
    israel,
    request_submitted_at,
    set_status,
)
from tests.factories import ConsultationFactory, FollowUpFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Delivery is not under test here; the outbox rows are."""
    monkeypatch.setattr(
        "consultations.services.outbox._schedule_delivery", lambda email_ids: None
    )


def run_together(job, moment) -> list:
    """Start `job` in several threads at the same instant; return results."""
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(moment, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    return results


def test_overlapping_escalations_name_each_request_once(catalog):
    """Five overdue requests, four workers: every request is escalated in
    exactly one email to the staff inbox."""
    requests = [request_submitted_at(israel(2026, 9, 10, 15, 30)) for _ in range(5)]
    run_together(first_response_followups_run, israel(2026, 9, 18, 0, 5))
    run_together(first_response_followups_run, israel(2026, 9, 18, 0, 20))

    emails = OutboundEmail.objects.filter(
        kind="response_escalation", to_address=settings.STAFF_INBOX_EMAIL
    )
    named = Counter(
        item["reference"] for email in emails for item in email.context["items"]
    )
    assert named == Counter({request.reference: 1 for request in requests})
    assert set(
        FollowUp.objects.filter(kind="response_escalation").values_list(
            "status", flat=True
        )
    ) == {"sent"}


def test_overlapping_reminders_send_one_per_recipient(catalog):
    """The morning reminder of one request, four workers: one email."""
    request = request_submitted_at(israel(2026, 9, 10, 15, 30))
    run_together(first_response_followups_run, israel(2026, 9, 16, 9, 5))
    assert list(
        OutboundEmail.objects.filter(kind="response_reminder").values_list(
            "to_address", "consultation_id"
        )
    ) == [(settings.STAFF_INBOX_EMAIL, request.pk)]


def test_overlapping_nudges_send_one(catalog):
    consultation = ConsultationFactory(status="in_progress")
    with time_machine.travel(israel(2026, 10, 4, 11, 0), tick=False):
        set_status(consultation, "waiting")
    run_together(waiting_nudges_run, israel(2026, 10, 11, 9, 5))
    assert OutboundEmail.objects.filter(kind="waiting_nudge").count() == 1
    assert FollowUp.objects.filter(kind="waiting_nudge").count() == 2


def test_overlapping_feedback_requests_send_one_link(catalog):
    consultation = ConsultationFactory(
        status="completed", closed_at=israel(2026, 11, 2, 16, 0)
    )
    run_together(feedback_requests_run, israel(2026, 11, 5, 9, 5))
    assert OutboundEmail.objects.filter(kind="feedback_request").count() == 1
    assert Feedback.objects.filter(consultation=consultation).count() == 1


def test_overlapping_digests_send_one_per_address(catalog):
    run_together(weekly_digest_send, israel(2026, 11, 15, 8, 0))
    assert list(
        OutboundEmail.objects.filter(kind="weekly_digest").values_list(
            "to_address", flat=True
        )
    ) == [settings.STAFF_INBOX_EMAIL]


def test_overlapping_retention_runs_anonymize_once(catalog):
    consultations = [
        ConsultationFactory(status="declined", closed_at=israel(2023, 1, 1))
        for _ in range(3)
    ]
    results = run_together(retention_anonymize_due, israel(2026, 11, 29, 3, 30))
    assert sum(results) == 3
    for consultation in consultations:
        assert (
            StatusChange.objects.filter(
                consultation=consultation, from_status=F("to_status")
            ).count()
            == 1
        )


def test_staff_cancelling_a_follow_up_a_job_is_sending_leaves_it_sent(
    staff_member, catalog
):
    """Staff load a scheduled follow-up; a job locks it and sends it; staff
    cancel what their page showed. The cancel waits for the job's lock and
    decides on the row as it is then: sent, so it stays sent, and no audit
    row claims a cancel."""
    followup = FollowUpFactory()
    loaded_by_staff = FollowUp.objects.get(pk=followup.pk)
    job_holds_the_row = threading.Event()

    def slow_send(row, now):
        job_holds_the_row.set()
        time.sleep(0.5)  # staff cancel while the job holds the row

    def job():
        try:
            _send_each(kinds=[followup.kind], now=timezone.now(), send=slow_send)
        finally:
            connection.close()

    worker = threading.Thread(target=job)
    worker.start()
    assert job_holds_the_row.wait(timeout=10)
    followup_cancel(followup=loaded_by_staff, reason="Not needed", actor=staff_member)
    worker.join(timeout=10)

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.SENT
    assert not LogEntry.objects.filter(object_id=str(followup.pk)).exists()


def test_staff_cancelling_a_follow_up_is_recorded(staff_member, catalog):
    """The admin's log names who cancelled a follow-up."""
    followup = FollowUpFactory()

    followup_cancel(followup=followup, reason="Not needed", actor=staff_member)

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CANCELLED
    entry = LogEntry.objects.get(object_id=str(followup.pk))
    assert (entry.user, entry.get_change_message()) == (staff_member, "Cancelled")


def test_a_digest_run_counts_only_the_rows_it_queued(catalog):
    """Two beats by mistake: the other run queues the staff inbox's digest
    between this run's check and its insert. The unique key holds, and this
    run reports that it queued nothing."""
    from consultations.services.outbox import outbox_enqueue

    moment = israel(2026, 11, 15, 8, 0)  # a Sunday: the week starts today
    key = f"weekly_digest:2026-11-15:{settings.STAFF_INBOX_EMAIL.lower()}"
    inserted, release = threading.Event(), threading.Event()
    results: list[int] = []

    def other_beat():
        try:
            with transaction.atomic():
                outbox_enqueue(
                    kind=OutboundEmail.Kind.WEEKLY_DIGEST,
                    to_address=settings.STAFF_INBOX_EMAIL,
                    dedup_key=key,
                )
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def this_beat():
        try:
            results.append(weekly_digest_send())
        finally:
            connection.close()

    with time_machine.travel(moment, tick=False):
        other = threading.Thread(target=other_beat)
        other.start()
        assert inserted.wait(timeout=30)
        # The row is not committed: this run's check does not see it, and its
        # insert waits on the unique index until the other run commits.
        this = threading.Thread(target=this_beat)
        this.start()
        this.join(timeout=1)
        release.set()
        other.join(timeout=30)
        this.join(timeout=30)

    assert results == [0]
    assert OutboundEmail.objects.filter(kind="weekly_digest").count() == 1
