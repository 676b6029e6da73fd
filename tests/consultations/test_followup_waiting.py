"""Nudges while a request waits for the organization.

With the default of 5 business days, a wait that starts Sun 4 Oct 2026
nudges the contact on Sun 11 Oct at 09:00, again on Sun 18 Oct, and tells
the advisor on Sun 25 Oct (no holidays in between; Simchat Torah is Sat
3 Oct).
"""

import pytest
import time_machine
from django.utils.translation import gettext

from consultations.models import FollowUp, Message, OutboundEmail
from consultations.services.followups import waiting_nudges_run
from tests.consultations.followup_support import (
    deliver_outbox,
    israel,
    queued,
    set_status,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

NUDGE = OutboundEmail.Kind.WAITING_NUDGE
TO_ADVISOR = OutboundEmail.Kind.WAITING_ADVISOR


def run_at(*args: int) -> int:
    with time_machine.travel(israel(*args), tick=False):
        return waiting_nudges_run()


@pytest.fixture
def waiting(catalog, advisor):
    consultation = ConsultationFactory(
        advisor=advisor,
        status="in_progress",
        preferred_language="ar",
        first_responded_at=israel(2026, 9, 30, 10, 0),
    )
    with time_machine.travel(israel(2026, 10, 4, 11, 0), tick=False):
        set_status(consultation, "waiting")
    return consultation


def test_contact_is_nudged_twice_then_the_advisor_is_told(waiting, advisor):
    """Each step once, on its morning, in the contact's language (Arabic,
    right to left), replies going to the advisor."""
    assert run_at(2026, 10, 11, 8, 55) == 0
    assert run_at(2026, 10, 11, 9, 5) == 1
    run_at(2026, 10, 11, 12, 0)
    assert queued(NUDGE) == [(waiting.contact_email, waiting.pk)]

    [first] = deliver_outbox()
    assert first.to == [waiting.contact_email]
    assert first.reply_to == [advisor.email]
    assert waiting.reference in first.subject
    assert 'lang="ar" dir="rtl"' in first.alternatives[0][0]

    run_at(2026, 10, 18, 9, 5)
    run_at(2026, 10, 20, 9, 5)
    assert queued(NUDGE) == [(waiting.contact_email, waiting.pk)] * 2
    assert queued(TO_ADVISOR) == []

    run_at(2026, 10, 25, 9, 5)
    run_at(2026, 10, 26, 9, 5)
    assert queued(TO_ADVISOR) == [(advisor.email, waiting.pk)]
    assert list(
        FollowUp.objects.filter(consultation=waiting)
        .order_by("scheduled_at")
        .values_list("kind", "sequence", "status")
    ) == [
        ("waiting_nudge", 1, "sent"),
        ("waiting_nudge", 2, "sent"),
        ("waiting_advisor", 1, "sent"),
    ]


def test_a_status_change_stops_the_nudges(waiting):
    """Once the request leaves "waiting", the remaining steps are cancelled."""
    run_at(2026, 10, 11, 9, 5)
    with time_machine.travel(israel(2026, 10, 12, 10, 0), tick=False):
        set_status(waiting, "in_progress")
    run_at(2026, 10, 18, 9, 5)
    run_at(2026, 10, 25, 9, 5)
    assert len(queued(NUDGE)) == 1
    assert queued(TO_ADVISOR) == []
    assert set(
        FollowUp.objects.filter(status="cancelled").values_list(
            "failure_message", flat=True
        )
    ) == {gettext("The request is no longer waiting.")}


def test_a_reply_from_the_organization_stops_the_nudges(waiting):
    """A message from the organization during the wait counts as a reply."""
    with time_machine.travel(israel(2026, 10, 6, 10, 0), tick=False):
        Message.objects.create(
            consultation=waiting,
            direction=Message.Direction.FROM_ORGANIZATION,
            body="x",
        )
    run_at(2026, 10, 11, 9, 5)
    assert queued(NUDGE) == []


def test_a_second_wait_is_nudged_with_the_next_sequence(waiting):
    """Waiting again later starts a new series: nudges 3 and 4, advisor
    note 2, never a repeat of the first series' keys."""
    run_at(2026, 10, 11, 9, 5)
    with time_machine.travel(israel(2026, 10, 12, 10, 0), tick=False):
        set_status(waiting, "in_progress")
    with time_machine.travel(israel(2026, 11, 1, 10, 0), tick=False):
        set_status(waiting, "waiting")
    run_at(2026, 11, 8, 9, 5)
    nudges = FollowUp.objects.filter(kind="waiting_nudge").order_by("sequence")
    assert [(row.sequence, row.status) for row in nudges] == [
        (1, "sent"),
        (2, "cancelled"),
        (3, "sent"),
        (4, "scheduled"),
    ]
    assert sorted(
        OutboundEmail.objects.filter(kind=NUDGE).values_list("dedup_key", flat=True)
    ) == [f"waiting_nudge:{waiting.pk}:1", f"waiting_nudge:{waiting.pk}:3"]


def test_only_the_last_due_step_goes_out_after_a_pause(waiting, advisor):
    """A job that first runs a month into the wait tells the advisor and
    skips the two nudges that are overdue by then."""
    run_at(2026, 11, 4, 9, 5)
    assert queued(NUDGE) == []
    assert queued(TO_ADVISOR) == [(advisor.email, waiting.pk)]
    assert list(
        FollowUp.objects.filter(kind="waiting_nudge").values_list("status", flat=True)
    ) == ["cancelled", "cancelled"]
