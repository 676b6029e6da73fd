"""Reads of the work plan, each in a constant number of queries."""

from django.db.models import Prefetch

from consultations.models import (
    Consultation,
    PlanEvent,
    PlanStep,
    PlanTemplateStep,
    PlanTurningPoint,
    WorkPlan,
)


def consultation_get_for_plan(*, user, pk: int) -> Consultation | None:
    """The request, when `user` may work on it (else None: the view answers 404)."""
    return (
        Consultation.objects.visible_to(user)
        .select_related("track", "advisor")
        .filter(pk=pk)
        .first()
    )


def work_plan_get(*, consultation: Consultation, with_history: bool = True):
    """The request's plan with its milestones, steps and turning points
    (and, for the workspace, its history), or None before it is started."""
    prefetches = [
        "milestones",
        Prefetch("steps", queryset=PlanStep.objects.order_by("order")),
        Prefetch(
            "turning_points",
            queryset=PlanTurningPoint.objects.select_related("actor"),
        ),
    ]
    if with_history:
        prefetches.append(
            Prefetch(
                "events",
                queryset=PlanEvent.objects.select_related("actor").order_by(
                    "-created_at", "-pk"
                ),
            )
        )
    plan = (
        WorkPlan.objects.filter(consultation=consultation)
        .prefetch_related(*prefetches)
        .first()
    )
    if plan is not None:
        plan.consultation = consultation
    return plan


def plan_sections(*, plan: WorkPlan) -> list[tuple]:
    """The steps grouped for display: (milestone or None, [steps]), milestones
    in their order, steps with no milestone first. Uses prefetched rows."""
    by_milestone: dict = {None: []}
    for milestone in plan.milestones.all():
        by_milestone[milestone.pk] = []
    milestones = {m.pk: m for m in plan.milestones.all()}
    for step in plan.steps.all():
        step.milestone = milestones.get(step.milestone_id)
        by_milestone.setdefault(step.milestone_id, []).append(step)
    sections = []
    if by_milestone[None]:
        sections.append((None, by_milestone[None]))
    sections.extend(
        (milestone, by_milestone[milestone.pk])
        for milestone in plan.milestones.all()
        if by_milestone[milestone.pk]
    )
    return sections


def plan_template_steps(*, consultation: Consultation) -> list[PlanTemplateStep]:
    """The track's suggested steps, to preview before the plan starts."""
    return list(PlanTemplateStep.objects.filter(template__track=consultation.track_id))


def plan_step_get(*, plan: WorkPlan, pk: int) -> PlanStep | None:
    """One step of `plan` (from the prefetched rows), or None."""
    return next((step for step in plan.steps.all() if step.pk == pk), None)
