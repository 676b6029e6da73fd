"""Reads of the checklist of policy tools, each in a constant number of
queries: the active tools, and a request's profile (strengths, needs, and
the change per tool since the first taking)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from consultations.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    Consultation,
    PolicyTool,
)
from consultations.models.checklist import NEED_LEVELS, STRENGTH_LEVELS


def policy_tools_active() -> list[PolicyTool]:
    """The tools an organization rates, in order (one query)."""
    return list(PolicyTool.objects.filter(is_active=True).order_by("order", "pk"))


@dataclass(frozen=True)
class ToolRow:
    tool: PolicyTool
    level: int | None
    level_label: str
    relies_on_partners: bool
    # The first taking's level, and the change since, when retaken.
    first_level: int | None = None
    change: int | None = None


@dataclass
class ChecklistProfile:
    """The latest taking, read against the first one."""

    takings: list[ChecklistAssessment]
    rows: list[ToolRow]
    strengths: list[ToolRow] = field(default_factory=list)
    needs: list[ToolRow] = field(default_factory=list)
    unknown: list[ToolRow] = field(default_factory=list)
    partners: list[ToolRow] = field(default_factory=list)

    @property
    def latest(self) -> ChecklistAssessment:
        return self.takings[-1]

    @property
    def first(self) -> ChecklistAssessment:
        return self.takings[0]

    @property
    def retaken(self) -> bool:
        return len(self.takings) > 1

    @property
    def need_tool_ids(self) -> set[int]:
        return {row.tool.pk for row in self.needs}


def _answers_prefetch() -> Prefetch:
    return Prefetch(
        "answers",
        queryset=ChecklistAnswer.objects.select_related("tool").order_by(
            "tool__order", "tool_id"
        ),
    )


def checklist_profile(*, consultation: Consultation) -> ChecklistProfile | None:
    """The request's profile, or None before its first taking (two queries:
    the takings, and their answers with their tools)."""
    takings = list(
        ChecklistAssessment.objects.filter(consultation=consultation)
        .order_by("sequence")
        .prefetch_related(_answers_prefetch())
    )
    if not takings:
        return None
    return profile_from_takings(takings)


def profile_from_takings(takings: list[ChecklistAssessment]) -> ChecklistProfile:
    """The profile from takings already fetched with their answers."""
    first = {answer.tool_id: answer for answer in takings[0].answers.all()}
    retaken = len(takings) > 1
    rows = []
    for answer in takings[-1].answers.all():
        before = first.get(answer.tool_id) if retaken else None
        first_level = before.level if before else None
        change = (
            answer.level - first_level
            if answer.level is not None and first_level is not None
            else None
        )
        rows.append(
            ToolRow(
                tool=answer.tool,
                level=answer.level,
                level_label=answer.get_level_display() if answer.level else "",
                relies_on_partners=answer.relies_on_partners,
                first_level=first_level,
                change=change,
            )
        )
    return ChecklistProfile(
        takings=takings,
        rows=rows,
        strengths=[row for row in rows if row.level in STRENGTH_LEVELS],
        needs=[row for row in rows if row.level in NEED_LEVELS],
        unknown=[row for row in rows if row.level is None],
        partners=[row for row in rows if row.relies_on_partners],
    )


def policy_tool_get(*, pk: int) -> PolicyTool | None:
    return PolicyTool.objects.filter(pk=pk).first()
