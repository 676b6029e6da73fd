"""The beat schedule: stored in the database for staff to see, and one run
of every scheduled task through the real Celery worker on the real Redis."""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from consultations.business_time import business_days_between
from consultations.models import (
    Consultation,
    Feedback,
    FollowUp,
    Meeting,
    OutboundEmail,
)
from shatil_portal.celery import app
from tests.consultations.followup_support import set_status
from tests.factories import ConsultationFactory, OutboundEmailFactory, UserFactory

DAY = datetime.timedelta(days=1)


def days_ago_with_business_days(*, at_least: int) -> datetime.datetime:
    """A moment far enough back to hold `at_least` business days."""
    now = timezone.now()
    moment = now - DAY
    while business_days_between(start=moment, end=now) < at_least:
        moment -= DAY
    return moment


# The scheduler closes stale database connections, as beat does between
# ticks; only a transactional test survives that.
@pytest.mark.django_db(transaction=True)
def test_the_schedule_is_in_the_database_for_staff(admin_client):
    """Beat's database scheduler writes every entry as a periodic task, which
    the admin lists."""
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=app)
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    digest = PeriodicTask.objects.get(name="weekly-digest")
    assert digest.crontab.day_of_week == "sun"
    assert str(digest.crontab.timezone) == "Asia/Jerusalem"
    response = admin_client.get(
        reverse("admin:django_celery_beat_periodictask_changelist")
    )
    assert response.status_code == 200
    assert b"first-response-followups" in response.content


def wait_for(condition, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("The worker did not finish in time.")
        time.sleep(0.2)


@pytest.mark.worker
def test_every_scheduled_task_runs_on_the_real_worker(celery_worker, catalog):
    """Each task of the schedule, sent by name, does its work: the overdue
    request is escalated, the silent organization nudged, the completed one
    asked for feedback, the old one anonymized, the digest queued, a stale
    pending email swept; and the worker delivers the emails."""
    now = timezone.now()
    overdue = ConsultationFactory(
        submitted_at=now - 10 * DAY,
        first_response_due_at=now - datetime.timedelta(hours=1),
    )
    waiting = ConsultationFactory(
        status="in_progress", first_responded_at=now - 20 * DAY
    )
    change = set_status(waiting, "waiting")
    # The fifth business day's morning has passed; the tenth has not come.
    started = days_ago_with_business_days(at_least=6)
    type(change).objects.filter(pk=change.pk).update(created_at=started)
    completed = ConsultationFactory(
        status="completed", closed_at=days_ago_with_business_days(at_least=4)
    )
    old = ConsultationFactory(status="declined", closed_at=now - 800 * DAY)
    stale = OutboundEmailFactory(next_attempt_at=now - datetime.timedelta(minutes=10))
    # A meeting in an hour, set days ago: its reminder was due yesterday.
    meeting = Meeting.objects.create(
        consultation=ConsultationFactory(
            status="in_progress", first_responded_at=now, advisor=UserFactory()
        ),
        starts_at=now + datetime.timedelta(hours=1),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/shatil",
    )
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=now - 10 * DAY)

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        app.send_task(entry["task"])

    wait_for(
        lambda: (
            not OutboundEmail.objects.filter(status__in=["pending", "sending"]).exists()
            and OutboundEmail.objects.filter(kind="weekly_digest").exists()
            and Consultation.objects.filter(
                pk=old.pk, anonymized_at__isnull=False
            ).exists()
            and Feedback.objects.filter(consultation=completed).exists()
        )
    )
    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert {
        "response_escalation",
        "waiting_nudge",
        "feedback_request",
        "weekly_digest",
        "status_link",
        "meeting_reminder",
        "meeting_reminder_advisor",
    } <= kinds
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert FollowUp.objects.get(
        consultation=overdue, kind="response_escalation"
    ).status == ("sent")
    assert FollowUp.objects.get(consultation=waiting, kind="waiting_nudge", sequence=1)
    stale.refresh_from_db()
    assert stale.status == "sent"
    recipients = {address for message in mail.outbox for address in message.to}
    assert {
        settings.STAFF_INBOX_EMAIL,
        waiting.contact_email,
        completed.contact_email,
        stale.to_address,
    } <= recipients
