"""Who may work on a request: whoever may see it (consultations/
permissions.py). Services check it themselves, so a caller that forgot to
scope its query still cannot change someone else's work."""

from django.core.exceptions import PermissionDenied

from consultations.models import Consultation
from consultations.permissions import user_may_see_consultation


def ensure_may_work_on(*, actor, consultation: Consultation) -> None:
    if not user_may_see_consultation(user=actor, consultation=consultation):
        raise PermissionDenied


def ensure_staff(*, actor, consultation: Consultation) -> None:
    """Triage (review, assignment) is staff work, even on one's own request."""
    ensure_may_work_on(actor=actor, consultation=consultation)
    if not actor.is_staff:
        raise PermissionDenied
