"""The weekly digest to the coordinators, Sunday 15 Nov 2026 at 08:00."""

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from consultations.models import OutboundEmail
from consultations.roles import COORDINATORS_GROUP
from consultations.services.followups import weekly_digest_send
from tests.consultations.followup_support import deliver_outbox, israel, queued
from tests.factories import AdvisorProfileFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

DIGEST = OutboundEmail.Kind.WEEKLY_DIGEST
SUNDAY = israel(2026, 11, 15, 8, 0)


def run_at(moment=SUNDAY) -> int:
    with time_machine.travel(moment, tick=False):
        return weekly_digest_send()


@pytest.fixture
def week(catalog, advisor):
    """Three new requests this week (one crisis), one overdue from before,
    one waiting, and an advisor at capacity."""
    new = [
        ConsultationFactory(submitted_at=israel(2026, 11, 10, 10, 0)),
        ConsultationFactory(submitted_at=israel(2026, 11, 11, 10, 0)),
        ConsultationFactory(crisis=True, submitted_at=israel(2026, 11, 12, 10, 0)),
    ]
    overdue = ConsultationFactory(
        submitted_at=israel(2026, 11, 1, 10, 0),
        first_response_due_at=israel(2026, 11, 4, 23, 59),
    )
    crisis_overdue = ConsultationFactory(
        crisis=True,
        submitted_at=israel(2026, 11, 1, 10, 0),
        first_response_due_at=israel(2026, 11, 2, 23, 59),
    )
    waiting = ConsultationFactory(
        status="waiting",
        advisor=advisor,
        submitted_at=israel(2026, 10, 1, 10, 0),
        first_responded_at=israel(2026, 10, 2, 10, 0),
    )
    full = AdvisorProfileFactory(capacity=1)
    ConsultationFactory(
        status="in_progress",
        advisor=full.user,
        submitted_at=israel(2026, 10, 1, 10, 0),
        first_responded_at=israel(2026, 10, 2, 10, 0),
    )
    return {
        "new": new,
        "overdue": overdue,
        "crisis_overdue": crisis_overdue,
        "waiting": waiting,
        "full": full,
    }


def test_each_coordinator_gets_the_week_once(week, coordinator):
    """One digest per address per week, however often the job runs."""
    run_at()
    run_at(israel(2026, 11, 15, 9, 0))
    run_at(israel(2026, 11, 21, 23, 0))
    assert queued(DIGEST) == sorted(
        [(coordinator.email, None), (settings.STAFF_INBOX_EMAIL, None)]
    )
    run_at(israel(2026, 11, 22, 8, 0))
    assert len(queued(DIGEST)) == 4


def test_the_digest_lists_new_overdue_waiting_and_full_advisors(week, coordinator):
    """New requests by track, overdue ones, those waiting, and advisors at
    capacity; a coordinator sees crisis requests by reference only."""
    run_at()
    body = next(m for m in deliver_outbox() if m.to == [coordinator.email]).body
    assert week["overdue"].reference in body
    assert week["overdue"].organization.name in body
    assert week["crisis_overdue"].reference in body
    assert week["crisis_overdue"].organization.name not in body
    assert week["waiting"].reference in body
    assert str(week["full"]) in body
    assert "1 / 1" in body or "1 of 1" in body or ": 1" in body


def test_staff_without_the_crisis_permission_get_counts_only(week, coordinator):
    """Without the crisis permission the crisis request is a number."""
    group = Group.objects.get(name=COORDINATORS_GROUP)
    permission = Permission.objects.get(codename="view_crisis_consultation")
    group.permissions.remove(permission)
    try:
        run_at()
    finally:
        group.permissions.add(permission)
    body = next(m for m in deliver_outbox() if m.to == [coordinator.email]).body
    assert week["overdue"].reference in body
    assert week["crisis_overdue"].reference not in body
    assert week["new"][2].reference not in body
    row = OutboundEmail.objects.get(kind=DIGEST, to_address=coordinator.email)
    assert row.context["overdue_hidden_crisis"] == 1
