"""The weekly digest's "plans with overdue steps" (Sunday 15 Nov 2026):
each plan by reference with its number of overdue steps, crisis requests
by reference only, and only to those who may see them."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission

from consultations.models import OutboundEmail, PlanStep, WorkPlan
from consultations.roles import COORDINATORS_GROUP
from consultations.services.followups import weekly_digest_send
from tests.consultations.followup_support import deliver_outbox, israel
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

SUNDAY = israel(2026, 11, 15, 8, 0)
PAST = datetime.date(2026, 11, 10)
FUTURE = datetime.date(2026, 11, 20)


def plan_with(consultation, *steps: tuple[datetime.date, str]) -> None:
    plan = WorkPlan.objects.create(consultation=consultation, goal="מטרה")
    for order, (due_date, status) in enumerate(steps, start=1):
        PlanStep.objects.create(
            plan=plan,
            order=order,
            title=f"צעד סודי {order}",
            owner="organization",
            due_date=due_date,
            status=status,
        )


@pytest.fixture
def plans(catalog, advisor):
    late = ConsultationFactory(status="in_progress", advisor=advisor)
    plan_with(late, (PAST, "planned"), (PAST, "in_progress"), (PAST, "done"))
    on_time = ConsultationFactory(status="in_progress", advisor=advisor)
    plan_with(on_time, (FUTURE, "planned"), (PAST, "dropped"))
    crisis = ConsultationFactory(status="in_progress", advisor=advisor, crisis=True)
    plan_with(crisis, (PAST, "planned"))
    closed = ConsultationFactory(status="completed", advisor=advisor)
    plan_with(closed, (PAST, "planned"))
    return {"late": late, "on_time": on_time, "crisis": crisis, "closed": closed}


def digest_for(address: str):
    with time_machine.travel(SUNDAY, tick=False):
        weekly_digest_send()
    return next(m for m in deliver_outbox() if m.to == [address])


def test_the_digest_lists_plans_with_overdue_steps(plans, coordinator):
    """Two plans are late: the first with two open overdue steps (the done
    one does not count), the crisis one by reference only."""
    message = digest_for(coordinator.email)
    row = OutboundEmail.objects.get(kind="weekly_digest", to_address=coordinator.email)
    assert row.context["plans_overdue_count"] == 2
    listed = {item["reference"]: item for item in row.context["plans_overdue"]}
    assert set(listed) == {plans["late"].reference, plans["crisis"].reference}
    assert listed[plans["late"].reference]["overdue_steps"] == 2
    assert "organization_name" not in listed[plans["crisis"].reference]
    assert plans["late"].organization_as_submitted["name"] in message.body
    assert plans["crisis"].organization_as_submitted["name"] not in message.body
    assert plans["on_time"].reference not in message.body
    assert plans["closed"].reference not in message.body
    assert "צעד סודי" not in message.body


def test_without_the_crisis_permission_a_crisis_plan_is_only_counted(
    plans, coordinator
):
    group = Group.objects.get(name=COORDINATORS_GROUP)
    permission = Permission.objects.get(codename="view_crisis_consultation")
    group.permissions.remove(permission)
    try:
        message = digest_for(coordinator.email)
    finally:
        group.permissions.add(permission)
    assert plans["late"].reference in message.body
    assert plans["crisis"].reference not in message.body
    row = OutboundEmail.objects.get(kind="weekly_digest", to_address=coordinator.email)
    assert row.context["plans_overdue_hidden_crisis"] == 1
    assert row.context["plans_overdue_count"] == 2
