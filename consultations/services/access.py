"""Who may work on a request: its advisor, and staff (crisis requests only
with the dedicated permission). Services check it themselves, so a caller
that forgot to scope its query still cannot change someone else's work."""

from django.core.exceptions import PermissionDenied

from consultations.models import Consultation

CRISIS_PERMISSION = "consultations.view_crisis_consultation"


def user_may_see_consultation(*, user, consultation: Consultation) -> bool:
    """The assigned advisor, or staff (crisis requests need the permission)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if consultation.advisor_id == user.pk:
        return True
    if not user.is_staff:
        return False
    return not consultation.is_crisis or user.has_perm(CRISIS_PERMISSION)


def ensure_may_work_on(*, actor, consultation: Consultation) -> None:
    if not user_may_see_consultation(user=actor, consultation=consultation):
        raise PermissionDenied


def ensure_staff(*, actor, consultation: Consultation) -> None:
    """Triage (review, assignment) is staff work, even on one's own request."""
    ensure_may_work_on(actor=actor, consultation=consultation)
    if not actor.is_staff:
        raise PermissionDenied
