"""A plan's milestones renamed and deleted in the workspace (issue 18);
adding one is in services/engagement.py. Deleting a milestone keeps its
steps, ungrouped. Each change is a PlanEvent row."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultations.models import Milestone, PlanEvent
from consultations.models.engagement import TITLE_LENGTH
from consultations.services.access import ensure_may_work_on
from consultations.services.engagement import (
    _ensure_open,
    _lock_plan,
    _record,
    clean_plan_text,
)

Kind = PlanEvent.Kind


def _lock_milestone(milestone: Milestone) -> Milestone:
    plan = _lock_plan(milestone.plan)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.plan = plan
    return milestone


def _ensure_current(milestone: Milestone, shown_title: str | None) -> None:
    """A milestone has no timestamp: the title the page showed is its version."""
    if shown_title is not None and shown_title != milestone.title:
        raise ValidationError(
            _("This milestone changed since the page was loaded; reload it."),
            code="stale",
        )


@transaction.atomic
def milestone_edit(
    *,
    milestone: Milestone,
    actor: AbstractBaseUser,
    title: str,
    shown_title: str | None,
) -> Milestone:
    milestone = _lock_milestone(milestone)
    ensure_may_work_on(actor=actor, consultation=milestone.plan.consultation)
    _ensure_open(milestone.plan.consultation)
    _ensure_current(milestone, shown_title)
    title = clean_plan_text(
        title,
        max_length=TITLE_LENGTH,
        required_message=_("Give the milestone a title."),
    )
    if title != milestone.title:
        _record(
            plan=milestone.plan,
            kind=Kind.MILESTONE_CHANGED,
            actor=actor,
            details={"title": [milestone.title, title]},
        )
        milestone.title = title
        milestone.save(update_fields=["title"])
    return milestone


@transaction.atomic
def milestone_delete(
    *, milestone: Milestone, actor: AbstractBaseUser, shown_title: str | None
) -> None:
    """The milestone goes; its steps stay in the plan with no milestone."""
    milestone = _lock_milestone(milestone)
    ensure_may_work_on(actor=actor, consultation=milestone.plan.consultation)
    _ensure_open(milestone.plan.consultation)
    _ensure_current(milestone, shown_title)
    steps = milestone.steps.update(milestone=None)
    _record(
        plan=milestone.plan,
        kind=Kind.MILESTONE_DELETED,
        actor=actor,
        details={"title": milestone.title, "steps": steps},
    )
    milestone.delete()
