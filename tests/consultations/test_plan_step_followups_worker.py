"""The plan-step job on the real Celery worker and the real Redis: sent
twice, it reminds the owner once, and the worker delivers the email."""

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from consultations.business_time import is_business_day, to_local
from consultations.models import FollowUp, OutboundEmail, PlanStep, WorkPlan
from shatil_portal.celery import app
from tests.factories import ConsultationFactory


def last_business_day() -> datetime.date:
    """A business day whose morning has passed, within the job's horizon."""
    day = to_local(moment=timezone.now()).date() - datetime.timedelta(days=1)
    while not is_business_day(day=day):
        day -= datetime.timedelta(days=1)
    return day


def wait_for(condition, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("The worker did not finish in time.")
        time.sleep(0.2)


@pytest.mark.worker
def test_the_worker_reminds_a_due_step_once(celery_worker, catalog):
    consultation = ConsultationFactory(status="in_progress")
    plan = WorkPlan.objects.create(consultation=consultation, goal="תקצוב")
    step = PlanStep.objects.create(
        plan=plan,
        order=1,
        title="לאסוף נתונים",
        owner="organization",
        due_date=last_business_day(),
    )
    task = "consultations.tasks.plan_step_followups_task"
    app.send_task(task)
    app.send_task(task)
    wait_for(
        lambda: (
            FollowUp.objects.filter(plan_step=step, kind="step_due")
            .exclude(status="scheduled")
            .exists()
            and not OutboundEmail.objects.exclude(status="sent").exists()
        )
    )
    # The second run finished too (a solo worker runs them in turn).
    time.sleep(1)
    assert list(OutboundEmail.objects.values_list("kind", "to_address")) == [
        ("step_due_org", consultation.contact_email)
    ]
    assert [message.to for message in mail.outbox] == [[consultation.contact_email]]
