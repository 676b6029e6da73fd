"""The request's life: which status may follow which, in one table, and the
single helper that applies a change and writes its history row.

Every transition service (intake, triage, the advisor's workspace, the
requester's status page) goes through `apply_status_change`, so an illegal
move is refused the same way everywhere and never half-applied.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation, StatusChange
from consultations.services.dashboard_counts import daily_counts_request_changed

Status = Consultation.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.IN_TRIAGE, Status.ASSIGNED, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.IN_TRIAGE: frozenset({Status.ASSIGNED, Status.DECLINED, Status.WITHDRAWN}),
    Status.ASSIGNED: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING_FOR_ORGANIZATION,
            Status.COMPLETED,
            Status.DECLINED,
            Status.WITHDRAWN,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {
            Status.WAITING_FOR_ORGANIZATION,
            Status.COMPLETED,
            Status.DECLINED,
            Status.WITHDRAWN,
        }
    ),
    Status.WAITING_FOR_ORGANIZATION: frozenset(
        {Status.IN_PROGRESS, Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.COMPLETED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


def allowed_next_statuses(status: str) -> frozenset[str]:
    return ALLOWED_TRANSITIONS.get(status, frozenset())


def lock_consultation(
    consultation_id: int, *, expected_version: str | None = None
) -> Consultation:
    """Re-read the request under a row lock (inside the caller's transaction).

    `expected_version` is the `version` that the actor's page showed: if the
    request changed since, the action is refused, never applied on top of a
    change the actor has not seen. None (a job, a bulk action deciding on
    each row as it is now) checks nothing.
    """
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if expected_version is not None and expected_version != consultation.version:
        raise ValidationError(
            _("This request changed since the page was loaded; reload it."),
            code="stale",
        )
    return consultation


def apply_status_change(
    *,
    consultation: Consultation,
    to_status: str,
    actor=None,
    note: str = "",
    extra_update_fields: tuple[str, ...] = (),
) -> StatusChange:
    """Move a locked request to `to_status` and record who, when, from, to, note.

    The caller holds the transaction and the row lock (`lock_consultation`).
    """
    from_status = consultation.status
    if to_status not in allowed_next_statuses(from_status):
        raise ValidationError(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": Status(from_status).label,
                "to": Status(to_status).label,
            }
        )
    consultation.status = to_status
    update_fields = ["status", "updated_at", *extra_update_fields]
    if to_status in Consultation.CLOSED_STATUSES:
        consultation.closed_at = timezone.now()
        update_fields.append("closed_at")
    consultation.save(update_fields=update_fields)
    # The dashboard's precomputed counts hold each request's status.
    daily_counts_request_changed(consultation=consultation)
    return StatusChange.objects.create(
        consultation=consultation,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
