"""First-response reminders before the deadline and escalation on breach.

The request arrives Thu 10 Sep 2026 15:30 (before Rosh Hashana) and is due
at the end of Thu 17 Sep; the reminder is Wed 16 Sep at 09:00 Israel time.
"""

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django.utils.translation import gettext

from consultations.models import FollowUp, OutboundEmail
from consultations.roles import COORDINATORS_GROUP
from consultations.services.followups import first_response_followups_run
from tests.consultations.followup_support import (
    deliver_outbox,
    israel,
    queued,
    request_submitted_at,
)

pytestmark = pytest.mark.django_db

REMINDER = OutboundEmail.Kind.RESPONSE_REMINDER
ESCALATION = OutboundEmail.Kind.RESPONSE_ESCALATION
SUBMITTED = israel(2026, 9, 10, 15, 30)


def run_at(*args: int) -> int:
    with time_machine.travel(israel(*args), tick=False):
        return first_response_followups_run()


@pytest.fixture
def unanswered(catalog):
    return request_submitted_at(SUBMITTED)


def test_coordinators_and_the_inbox_are_reminded_on_the_morning_before(
    unanswered, coordinator
):
    """Nothing before Wed 16 Sep 09:00; then one reminder to each coordinator
    and to the staff inbox, in Hebrew, naming the request and its deadline;
    a second run sends nothing more."""
    assert run_at(2026, 9, 16, 8, 59) == 0
    assert queued(REMINDER) == []

    run_at(2026, 9, 16, 9, 5)
    run_at(2026, 9, 16, 9, 20)
    assert queued(REMINDER) == sorted(
        [
            (coordinator.email, unanswered.pk),
            (settings.STAFF_INBOX_EMAIL, unanswered.pk),
        ]
    )
    sent = deliver_outbox()
    assert len(sent) == 2
    message = sent[0]
    assert unanswered.reference in message.subject
    assert "17.9.2026" in message.subject or "17 בספטמבר" in message.subject
    assert 'dir="rtl"' in message.alternatives[0][0]
    reminder = FollowUp.objects.get(consultation=unanswered, kind="response_reminder")
    assert reminder.status == FollowUp.Status.SENT
    assert reminder.sent_at == israel(2026, 9, 16, 9, 5)


def test_the_assigned_advisor_is_reminded_instead_of_the_coordinators(
    unanswered, coordinator, advisor
):
    """With an advisor assigned (and no contact yet), only the advisor hears."""
    unanswered.advisor = advisor
    unanswered.status = "assigned"
    unanswered.save()
    run_at(2026, 9, 16, 9, 5)
    assert queued(REMINDER) == [(advisor.email, unanswered.pk)]
    [message] = deliver_outbox()
    assert f"/workspace/requests/{unanswered.pk}/" in message.body


def test_an_answered_request_is_neither_reminded_nor_escalated(unanswered, coordinator):
    """A first response before the reminder cancels both follow-ups, with
    the reason shown to staff."""
    run_at(2026, 9, 14, 10, 0)
    unanswered.first_responded_at = israel(2026, 9, 15, 11, 0)
    unanswered.save()
    run_at(2026, 9, 16, 9, 5)
    run_at(2026, 9, 18, 9, 0)
    assert OutboundEmail.objects.filter(kind__in=[REMINDER, ESCALATION]).count() == 0
    statuses = set(
        FollowUp.objects.filter(consultation=unanswered).values_list(
            "status", flat=True
        )
    )
    assert statuses == {FollowUp.Status.CANCELLED}
    assert (
        FollowUp.objects.filter(
            failure_message=gettext("The organization was answered.")
        ).count()
        == 2
    )


def test_breach_escalates_once_to_the_coordinators_with_the_overdue_list(
    unanswered, coordinator, catalog
):
    """Right after the deadline passes (Fri 18 Sep 00:00), each coordinator
    gets one email listing the overdue requests; later runs add nothing."""
    other = request_submitted_at(SUBMITTED)
    run_at(2026, 9, 16, 9, 5)
    run_at(2026, 9, 17, 23, 50)
    assert queued(ESCALATION) == []

    run_at(2026, 9, 18, 0, 5)
    run_at(2026, 9, 18, 0, 20)
    run_at(2026, 9, 20, 9, 0)
    assert queued(ESCALATION) == sorted(
        [(coordinator.email, None), (settings.STAFF_INBOX_EMAIL, None)]
    )
    sent = {
        message.to[0]: message
        for message in deliver_outbox()
        if message.extra_headers["X-Shatil-Outbox-Id"]
        in {
            str(pk)
            for pk in OutboundEmail.objects.filter(kind=ESCALATION).values_list(
                "pk", flat=True
            )
        }
    }
    body = sent[coordinator.email].body
    assert unanswered.reference in body
    assert other.reference in body
    assert other.organization.name in body
    assert (
        FollowUp.objects.filter(kind="response_escalation", status="sent").count() == 2
    )


def test_a_reminder_after_the_deadline_is_cancelled_and_escalation_follows(
    unanswered, coordinator
):
    """A job that first runs after the deadline skips the reminder."""
    run_at(2026, 9, 18, 9, 0)
    assert queued(REMINDER) == []
    assert len(queued(ESCALATION)) == 2
    reminder = FollowUp.objects.get(kind="response_reminder")
    assert reminder.status == FollowUp.Status.CANCELLED


def test_crisis_requests_reach_staff_by_reference_and_link_only(coordinator, catalog):
    """Escalation about a crisis request carries its reference and a link,
    not the organization; a coordinator without the crisis permission gets
    only a count."""
    crisis = request_submitted_at(SUBMITTED, crisis=True)
    normal = request_submitted_at(SUBMITTED)
    group = Group.objects.get(name=COORDINATORS_GROUP)
    permission = Permission.objects.get(codename="view_crisis_consultation")
    group.permissions.remove(permission)
    try:
        run_at(2026, 9, 18, 0, 5)
        sent = {message.to[0]: message for message in deliver_outbox()}
    finally:
        group.permissions.add(permission)

    to_coordinator = sent[coordinator.email]
    assert normal.reference in to_coordinator.body
    assert crisis.reference not in to_coordinator.body
    assert "1" in to_coordinator.body

    to_inbox = sent[settings.STAFF_INBOX_EMAIL]
    assert crisis.reference in to_inbox.body
    assert crisis.organization.name not in to_inbox.body
    assert normal.organization.name in to_inbox.body


def test_times_are_stored_in_utc(unanswered):
    """Follow-ups are planned in UTC; 09:00 in Israel is 06:00 UTC in
    September."""
    run_at(2026, 9, 14, 10, 0)
    reminder = FollowUp.objects.get(kind="response_reminder")
    assert reminder.scheduled_at.utcoffset().total_seconds() == 0
    assert timezone.localtime(reminder.scheduled_at).hour == 9
    assert reminder.scheduled_at.hour == 6
