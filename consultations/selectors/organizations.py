"""Reads for staff about one organization: its requests over time, the
contact people as each request gave them, its feedback and its merges; and
what a merge of two organizations would move.

Crisis requests appear only to users with the crisis permission (or to the
advisor assigned to them); everyone else sees how many there are.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation, Organization, OrganizationMerge
from consultations.permissions import user_may_see_crisis


def organization_get_for_staff(*, pk: int) -> Organization | None:
    return (
        Organization.objects.filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "merges_received",
                queryset=OrganizationMerge.objects.select_related("actor").annotate(
                    moved=Count("consultations")
                ),
            )
        )
        .first()
    )


def _visible_requests(*, user, organization: Organization) -> QuerySet[Consultation]:
    return Consultation.objects.visible_to(user).filter(organization=organization)


def _hidden_crisis_count(*, user, organization: Organization) -> int:
    if user_may_see_crisis(user):
        return 0
    return (
        Consultation.objects.filter(organization=organization, is_crisis=True)
        .exclude(advisor=user)
        .count()
    )


def first_response_state(*, consultation: Consultation, now=None) -> str:
    """Whether the first response came on time, late, or is still awaited,
    counted as the dashboard counts it."""
    now = now or timezone.now()
    due = consultation.first_response_due_at
    if consultation.first_responded_at is not None:
        return _("Late") if consultation.first_responded_at > due else _("On time")
    if due < (consultation.closed_at or now):
        return _("Late")
    return _("Awaited") if not consultation.is_closed else "—"


@dataclass(frozen=True)
class OrganizationHistory:
    # Newest first, each with `response_state`.
    consultations: list[Consultation]
    hidden_crisis: int
    merges: list[OrganizationMerge]

    @property
    def answered_feedback(self) -> list:
        return [
            consultation.feedback
            for consultation in self.consultations
            if getattr(consultation, "feedback", None) is not None
            and consultation.feedback.is_answered
        ]


def organization_history(*, user, organization: Organization) -> OrganizationHistory:
    """Everything the organization page shows, in a fixed number of queries."""
    now = timezone.now()
    consultations = list(
        _visible_requests(user=user, organization=organization)
        .select_related("track", "advisor", "feedback")
        .order_by("-submitted_at", "-pk")
    )
    for consultation in consultations:
        consultation.response_state = first_response_state(
            consultation=consultation, now=now
        )
    return OrganizationHistory(
        consultations=consultations,
        hidden_crisis=_hidden_crisis_count(user=user, organization=organization),
        merges=list(organization.merges_received.all()),
    )


@dataclass(frozen=True)
class MergeSide:
    organization: Organization
    consultations: list[Consultation]
    hidden_crisis: int


def organization_merge_preview(
    *, user, organizations: list[Organization]
) -> list[MergeSide]:
    """Each organization with the requests a merge would move from it."""
    visible = (
        Consultation.objects.visible_to(user)
        .filter(organization__in=organizations)
        .select_related("track")
        .order_by("-submitted_at", "-pk")
    )
    by_organization: dict[int, list[Consultation]] = {}
    for consultation in visible:
        by_organization.setdefault(consultation.organization_id, []).append(
            consultation
        )
    return [
        MergeSide(
            organization=organization,
            consultations=by_organization.get(organization.pk, []),
            hidden_crisis=_hidden_crisis_count(user=user, organization=organization),
        )
        for organization in organizations
    ]
