"""Follow-ups on time: a reminder before the first-response deadline,
escalation to the coordinators on breach, nudges while a request waits for
the organization, and the feedback request after completion.

Each job plans, then sends. Planning writes the FollowUp rows a request
calls for; they are unique per (request, kind, sequence), so planning twice,
or in two workers at once, adds nothing. Sending takes the due rows with
``select_for_update(skip_locked=True)`` inside one transaction, cancels a
row that no longer applies (the request was answered, or stopped waiting),
queues its emails in the outbox with a key derived from the row, and marks
it sent. Two workers never take the same row, and a retry finds it sent, so
each person receives each email once.

Every time is computed on the business calendar (business_time.py) and
stored in UTC; emails show Israel time.

One module per job, each with its plan, send and run: first_response.py,
waiting_nudges.py, feedback_requests.py, plan_steps.py and weekly_digest.py;
shared.py holds what they share. meeting_reminders.py reminds both sides of
a meeting a business day before it, keyed by the meeting and its version.
The jobs' entry points are re-exported here.
"""

from .feedback_requests import feedback_requests_plan, feedback_requests_run
from .first_response import (
    first_response_escalations_send,
    first_response_followups_plan,
    first_response_followups_run,
    response_reminder_at,
)
from .meeting_reminders import meeting_reminder_at, meeting_reminders_run
from .plan_steps import plan_step_followups_plan, plan_step_followups_run
from .shared import FollowUpNotApplicable, followup_cancel
from .waiting_nudges import waiting_nudges_plan, waiting_nudges_run
from .weekly_digest import weekly_digest_context, weekly_digest_send

__all__ = [
    "FollowUpNotApplicable",
    "feedback_requests_plan",
    "feedback_requests_run",
    "first_response_escalations_send",
    "first_response_followups_plan",
    "first_response_followups_run",
    "followup_cancel",
    "meeting_reminder_at",
    "meeting_reminders_run",
    "plan_step_followups_plan",
    "plan_step_followups_run",
    "response_reminder_at",
    "waiting_nudges_plan",
    "waiting_nudges_run",
    "weekly_digest_context",
    "weekly_digest_send",
]
