"""The checklist of policy tools (issue 18): the organization takes it, on
the request form or from its status page, as often as it likes; the advisor
turns a need into a plan step.

`checklist_take` is the one write path of a taking. It checks the answers
against the active tools (every tool answered, nothing else, levels on the
scale) and records the taking with its sequence number, which is the
taking's history row.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.business_time import add_business_days, to_local
from consultations.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    Consultation,
    PlanStep,
    PolicyTool,
    ToolLevel,
    WorkPlan,
)
from consultations.models.checklist import MAX_ASSESSMENTS_PER_REQUEST
from consultations.services.access import ensure_may_work_on
from consultations.services.engagement import plan_step_add
from consultations.services.workflow import lock_consultation

# A step added from the profile is due this many business days from today;
# the advisor moves it like any other step.
SUGGESTED_STEP_BUSINESS_DAYS = 10


@dataclass(frozen=True)
class ToolAnswer:
    tool_id: int
    # None: "don't know".
    level: int | None
    relies_on_partners: bool = False


def _clean_answers(answers: Sequence[ToolAnswer]) -> list[ToolAnswer]:
    tool_ids = set(
        PolicyTool.objects.filter(is_active=True).values_list("pk", flat=True)
    )
    given = [answer.tool_id for answer in answers]
    if len(set(given)) != len(given) or not set(given) <= tool_ids:
        raise ValidationError(
            _(
                "The list of tools has changed since the page was loaded. "
                "Check your answers and send them again."
            ),
            code="tools",
        )
    if set(given) != tool_ids:
        raise ValidationError(
            _("Answer every tool, or choose “don't know”."), code="missing"
        )
    for answer in answers:
        if answer.level is not None and answer.level not in ToolLevel.values:
            raise ValidationError(
                _("Choose one of the levels for each tool."), code="level"
            )
    return list(answers)


def _ensure_may_take(consultation: Consultation) -> None:
    if consultation.anonymized_at is not None or consultation.status in (
        Consultation.Status.DECLINED,
        Consultation.Status.WITHDRAWN,
    ):
        raise ValidationError(
            _("The checklist can no longer be filled in for this request."),
            code="closed",
        )


@transaction.atomic
def checklist_take(
    *,
    consultation: Consultation,
    answers: Sequence[ToolAnswer],
    source: str,
) -> ChecklistAssessment:
    """Record one taking of the checklist by the organization (its status
    link or the request form; the caller has checked which request it is).
    A completed request may take it again: that is how growth is measured."""
    answers = _clean_answers(answers)
    consultation = lock_consultation(consultation.pk)
    _ensure_may_take(consultation)
    taken = ChecklistAssessment.objects.filter(consultation=consultation).count()
    if taken >= MAX_ASSESSMENTS_PER_REQUEST:
        raise ValidationError(
            _("This request has reached the limit of %(limit)s checklists.")
            % {"limit": MAX_ASSESSMENTS_PER_REQUEST},
            code="limit",
        )
    assessment = ChecklistAssessment(
        consultation=consultation,
        sequence=taken + 1,
        source=source,
        taken_at=timezone.now(),
    )
    assessment.full_clean()
    assessment.save()
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(
            assessment=assessment,
            tool_id=answer.tool_id,
            level=answer.level,
            relies_on_partners=answer.relies_on_partners,
        )
        for answer in answers
    )
    return assessment


def suggested_step_title(*, tool: PolicyTool, language: str) -> str:
    """The tool's suggested step in the organization's language (the plan
    is read by the organization), else in the default language."""
    return (
        getattr(tool, f"suggested_step_title_{language}", "")
        or tool.suggested_step_title
    )


@transaction.atomic
def checklist_add_suggested_step(
    *, consultation: Consultation, tool: PolicyTool, actor: AbstractBaseUser
) -> PlanStep:
    """The advisor adds a tool's suggested step to the request's work plan,
    through the plan's own service (its checks and its history row)."""
    ensure_may_work_on(actor=actor, consultation=consultation)
    plan = WorkPlan.objects.filter(consultation=consultation).first()
    if plan is None:
        raise ValidationError(
            _("Start the work plan first; then add steps from the checklist."),
            code="no_plan",
        )
    title = suggested_step_title(tool=tool, language=consultation.preferred_language)
    if not title:
        raise ValidationError(_("This tool suggests no step."), code="no_step")
    due = to_local(
        moment=add_business_days(
            moment=timezone.now(), days=SUGGESTED_STEP_BUSINESS_DAYS
        )
    ).date()
    return plan_step_add(
        plan=plan,
        actor=actor,
        title=title,
        owner=tool.suggested_step_owner,
        due_date=due,
    )
