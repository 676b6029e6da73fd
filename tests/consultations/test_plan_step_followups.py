"""Follow-through on the work plan: a step that falls due is reminded to its
owner on a business morning, once per due date; an organization step still
open three business days later is flagged to the advisor, once.

Fri 6 Nov 2026 is a day off, so a step due then is reminded on Sun 8 Nov
at 09:00 Israel time, and flagged on Wed 11 Nov. Sun 20 Sep 2026 is the eve
of Yom Kippur (Mon 21 Sep): a step due then is reminded on Tue 22 Sep.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils.translation import gettext

from consultations.models import (
    Consultation,
    FollowUp,
    OutboundEmail,
    PlanStep,
    StepOwner,
    WorkPlan,
)
from consultations.services.followups import plan_step_followups_run
from tests.consultations.followup_support import deliver_outbox, israel, queued
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

DUE_ORG = OutboundEmail.Kind.STEP_DUE_ORGANIZATION
DUE_ADVISOR = OutboundEmail.Kind.STEP_DUE_ADVISOR
OVERDUE = OutboundEmail.Kind.STEP_OVERDUE
FRIDAY = datetime.date(2026, 11, 6)


def run_at(*args: int) -> int:
    with time_machine.travel(israel(*args), tick=False):
        return plan_step_followups_run()


def make_step(consultation: Consultation, **fields) -> PlanStep:
    plan, _created = WorkPlan.objects.get_or_create(
        consultation=consultation, defaults={"goal": "לקדם תקצוב מעונות יום"}
    )
    values = {
        "title": "פגישה עם מהנדסת העיר",
        "owner": StepOwner.ORGANIZATION,
        "due_date": FRIDAY,
        "order": plan.steps.count() + 1,
    }
    return PlanStep.objects.create(plan=plan, **(values | fields))


@pytest.fixture
def assigned(catalog, advisor):
    return ConsultationFactory(
        status="in_progress", advisor=advisor, preferred_language="ar"
    )


def test_a_step_due_on_a_friday_is_reminded_on_sunday_morning_once(assigned):
    """Nothing on Friday or before Sunday 09:00; then one email to the
    organization, in its language, naming the step; later runs add nothing."""
    step = make_step(assigned)
    run_at(2026, 11, 6, 10, 0)
    run_at(2026, 11, 8, 8, 59)
    assert queued(DUE_ORG) == []

    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 8, 10, 5)
    run_at(2026, 11, 9, 9, 5)
    assert queued(DUE_ORG) == [(assigned.contact_email, assigned.pk)]
    [message] = deliver_outbox()
    assert step.title in message.body
    assert assigned.reference in message.subject
    assert 'dir="rtl"' in message.alternatives[0][0]
    email = OutboundEmail.objects.get(kind=DUE_ORG)
    assert email.language == "ar"
    row = FollowUp.objects.get(plan_step=step, kind="step_due")
    assert (row.status, row.step_due_date) == ("sent", FRIDAY)


def test_a_step_due_on_a_holiday_eve_waits_for_the_next_business_day(assigned):
    """Due Sun 20 Sep (Yom Kippur's eve) and Mon 21 (Yom Kippur): Tue 22."""
    make_step(assigned, due_date=datetime.date(2026, 9, 20))
    run_at(2026, 9, 21, 9, 5)
    assert queued(DUE_ORG) == []
    run_at(2026, 9, 22, 9, 5)
    assert queued(DUE_ORG) == [(assigned.contact_email, assigned.pk)]


def test_an_advisors_step_is_reminded_to_the_advisor_in_their_language(
    assigned, advisor
):
    advisor.advisor_profile.preferred_language = "en"
    advisor.advisor_profile.save()
    make_step(assigned, owner=StepOwner.ADVISOR, title="Draft the letter")
    run_at(2026, 11, 8, 9, 5)
    assert queued(DUE_ADVISOR) == [(advisor.email, assigned.pk)]
    assert queued(DUE_ORG) == []
    [message] = deliver_outbox()
    assert "Draft the letter" in message.body
    assert f"/en/workspace/requests/{assigned.pk}/" in message.body


def test_a_changed_due_date_is_reminded_again_and_the_old_one_is_not(assigned):
    """Moved from Fri 6 to Thu 12 Nov before the reminder: the old row is
    cancelled with its reason, and the new date is reminded on the 12th."""
    step = make_step(assigned)
    run_at(2026, 11, 5, 10, 0)
    step.due_date = datetime.date(2026, 11, 12)
    step.save()
    run_at(2026, 11, 8, 9, 5)
    assert queued(DUE_ORG) == []
    old = FollowUp.objects.get(plan_step=step, kind="step_due", step_due_date=FRIDAY)
    assert old.status == "cancelled"
    assert old.failure_message == gettext("The step's due date changed.")
    run_at(2026, 11, 12, 9, 5)
    assert queued(DUE_ORG) == [(assigned.contact_email, assigned.pk)]


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_done_and_dropped_steps_are_not_reminded(assigned, status):
    step = make_step(assigned)
    run_at(2026, 11, 5, 10, 0)
    step.status = status
    step.save()
    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 11, 9, 5)
    assert OutboundEmail.objects.count() == 0


def test_closed_and_anonymized_requests_are_not_reminded(catalog, advisor):
    closed = ConsultationFactory(status="completed", advisor=advisor)
    anonymized = ConsultationFactory(status="in_progress", advisor=advisor)
    make_step(closed)
    make_step(anonymized)
    run_at(2026, 11, 5, 10, 0)
    Consultation.objects.filter(pk=anonymized.pk).update(
        anonymized_at=israel(2026, 11, 7, 10, 0)
    )
    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 11, 9, 5)
    assert OutboundEmail.objects.count() == 0
    assert not FollowUp.objects.filter(consultation=closed).exists()
    assert set(
        FollowUp.objects.filter(consultation=anonymized).values_list(
            "status", flat=True
        )
    ) == {"cancelled"}


def test_an_overdue_organization_step_is_flagged_to_the_advisor_once(assigned, advisor):
    """Still open three business days after Sunday's reminder: one email to
    the advisor on Wed 11 Nov; none before, none again."""
    step = make_step(assigned)
    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 10, 9, 5)
    assert queued(OVERDUE) == []
    run_at(2026, 11, 11, 9, 5)
    run_at(2026, 11, 12, 9, 5)
    run_at(2026, 11, 15, 9, 5)
    assert queued(OVERDUE) == [(advisor.email, assigned.pk)]
    [message] = [
        message for message in deliver_outbox() if message.to == [advisor.email]
    ]
    assert step.title in message.body
    assert assigned.reference in message.subject


def test_an_advisors_step_is_never_flagged_as_overdue(assigned):
    make_step(assigned, owner=StepOwner.ADVISOR)
    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 11, 9, 5)
    assert queued(OVERDUE) == []
    assert FollowUp.objects.get(kind="step_overdue").status == "cancelled"


def test_a_crisis_request_emails_carry_the_reference_and_a_link_only(catalog, advisor):
    """Neither the step's title nor the organization reaches the advisor's
    inbox for a crisis request; the organization's own email names no step."""
    crisis = ConsultationFactory(status="in_progress", advisor=advisor, crisis=True)
    make_step(crisis, title="שיחה עם ראש המועצה")
    run_at(2026, 11, 8, 9, 5)
    run_at(2026, 11, 11, 9, 5)
    sent = deliver_outbox()
    assert len(sent) == 2
    for message in sent:
        assert crisis.reference in message.subject
        assert "שיחה עם ראש המועצה" not in message.body
        assert crisis.organization_as_submitted["name"] not in message.body
    [to_advisor] = [message for message in sent if message.to == [advisor.email]]
    assert f"/workspace/requests/{crisis.pk}/" in to_advisor.body


def test_without_an_active_advisor_the_staff_inbox_is_told(catalog):
    unassigned = ConsultationFactory(status="in_triage")
    make_step(unassigned, owner=StepOwner.ADVISOR)
    run_at(2026, 11, 8, 9, 5)
    assert queued(DUE_ADVISOR) == [(settings.STAFF_INBOX_EMAIL, unassigned.pk)]


def test_a_reminder_that_no_longer_applies_is_cancelled_at_the_next_run(assigned):
    """Done, moved or closed: the scheduled rows are cancelled, with the
    reason, as soon as the job runs, not only when their time comes."""
    done, moved, other = (make_step(assigned) for _ in range(3))
    run_at(2026, 11, 2, 10, 0)
    PlanStep.objects.filter(pk=done.pk).update(status="done")
    PlanStep.objects.filter(pk=moved.pk).update(due_date=datetime.date(2026, 11, 12))
    run_at(2026, 11, 2, 11, 0)

    def reasons(step):
        return set(
            FollowUp.objects.filter(plan_step=step, step_due_date=FRIDAY).values_list(
                "status", "failure_message"
            )
        )

    assert reasons(done) == {("cancelled", gettext("The step is done or dropped."))}
    assert reasons(moved) == {("cancelled", gettext("The step's due date changed."))}
    assert reasons(other) == {("scheduled", "")}
    assert FollowUp.objects.get(
        plan_step=moved, kind="step_due", step_due_date=datetime.date(2026, 11, 12)
    ).status == ("scheduled")
    Consultation.objects.filter(pk=assigned.pk).update(status="completed")
    run_at(2026, 11, 2, 12, 0)
    assert reasons(other) == {("cancelled", gettext("The request was closed."))}
