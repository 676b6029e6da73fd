"""Write paths: every state change of the consultations app is a function here.

- outbox.py: queue an email in the caller's transaction; deliver it at most once.
- workflow.py: the table of allowed status changes and the one helper that
  applies a change with its history row.
"""
