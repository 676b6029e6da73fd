"""Write paths: every state change of the consultations app is a function
here, keyword-only and atomic; it validates, writes its rows and history,
and queues emails and tasks after commit. Views, admin actions, tasks and
commands call these; none writes a model itself.

- intake.py: the public form's submission becomes a request.
- requester.py: what the organization does from its status page (a
  message, withdrawing, a new private link).
- workflow.py: the table of allowed status changes and the one helper that
  applies a change with its history row.
- transitions.py: triage and the advisor's work, one service per status
  change; workspace.py: notes, messages and meetings.
- notices.py: the pieces the triage and workspace emails share.
- outbox.py: queue an email in the caller's transaction; deliver it at most
  once.
- followups/: reminders, escalations, nudges, feedback requests and the
  weekly digest, one module per job, each planned then sent; feedback.py:
  the feedback invitation and its answer.
- retention.py: anonymization, on schedule and on demand.
- organizations.py: merging two organizations.
- access.py: who may work on a request; access_log.py: who viewed or
  exported personal data.
"""
