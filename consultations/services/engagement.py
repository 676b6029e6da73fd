"""The work plan of a request (issue 18): started from its track's template,
edited by the advisor, and ticked off by the organization.

Every change writes a PlanEvent (who, when, what), so the plan's revisions
are kept. An edit of an existing step carries the step's `version` as the
page showed it; a step changed since is refused, never overwritten.
"""

import re
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.business_time import add_business_days, to_local
from consultations.models import (
    Consultation,
    Milestone,
    PlanEvent,
    PlanStep,
    PlanTemplate,
    PlanTurningPoint,
    Player,
    StepOwner,
    WorkPlan,
)
from consultations.models.engagement import (
    GOAL_LENGTH,
    MAX_MILESTONES_PER_PLAN,
    MAX_STEPS_PER_PLAN,
    MAX_TURNING_POINTS_PER_PLAN,
    NOTES_LENGTH,
    TITLE_LENGTH,
)
from consultations.services.access import ensure_may_work_on
from consultations.services.workflow import lock_consultation

Kind = PlanEvent.Kind
StepStatus = PlanStep.Status

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
# can reorder what others read, so they are never stored.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def israel_today() -> date:
    return to_local(moment=timezone.now()).date()


def clean_plan_text(
    value: str, *, max_length: int, required_message: str | None = None
) -> str:
    """Stripped, without bidi controls; refused when required and empty, or too long."""
    value = BIDI_CONTROLS.sub("", value or "").strip()
    if not value and required_message:
        raise ValidationError(required_message, code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("Keep it under %(limit)s characters.") % {"limit": max_length},
            code="max_length",
        )
    return value


def _clean_title(title: str) -> str:
    return clean_plan_text(
        title, max_length=TITLE_LENGTH, required_message=_("Give the step a title.")
    )


def _clean_owner(owner: str) -> str:
    if owner not in StepOwner.values:
        raise ValidationError(
            _("Say who owns the step: the organization or the advisor."),
            code="owner",
        )
    return owner


def _clean_new_due_date(due_date: date | None) -> date:
    if due_date is None:
        raise ValidationError(_("Give the step a due date."), code="due_date")
    if due_date < israel_today():
        raise ValidationError(
            _("The due date has passed; choose today or a later date."),
            code="due_date_past",
        )
    return due_date


def _ensure_open(consultation: Consultation) -> None:
    if consultation.is_closed or consultation.anonymized_at is not None:
        raise ValidationError(
            _("The request is closed; its plan can no longer change."), code="closed"
        )


def _ensure_current(row, expected_version: str | None) -> None:
    if expected_version is not None and expected_version != row.version:
        raise ValidationError(
            _("This step changed since the page was loaded; reload it."),
            code="stale",
        )


def _lock_plan(plan: WorkPlan) -> WorkPlan:
    """The plan under its request's row lock, so that concurrent changes
    (two new steps taking the same order) run one after the other."""
    consultation = lock_consultation(plan.consultation_id)
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    plan.consultation = consultation
    return plan


def _lock_step(step: PlanStep) -> PlanStep:
    plan = _lock_plan(step.plan)
    step = PlanStep.objects.select_for_update().get(pk=step.pk)
    step.plan = plan
    return step


def _record(
    *,
    plan: WorkPlan,
    kind: str,
    actor=None,
    step: PlanStep | None = None,
    details: dict | None = None,
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        kind=kind,
        actor=actor,
        by_organization=actor is None,
        step_title=step.title if step else "",
        details=details or {},
    )


def _clean_milestone(plan: WorkPlan, milestone: Milestone | None) -> Milestone | None:
    if milestone is not None and milestone.plan_id != plan.pk:
        raise ValidationError(_("Choose one of this plan's milestones."))
    return milestone


def _next_order(queryset) -> int:
    return (queryset.aggregate(last=Max("order"))["last"] or 0) + 1


@transaction.atomic
def work_plan_start_from_template(
    *, consultation: Consultation, actor: AbstractBaseUser
) -> WorkPlan:
    """Create the request's plan: its goal from the request, and the steps
    and milestones of its track's template, due by their business-day
    offsets from today. A request has one plan; a second start is refused."""
    consultation = lock_consultation(consultation.pk)
    ensure_may_work_on(actor=actor, consultation=consultation)
    _ensure_open(consultation)
    if consultation.status not in Consultation.ACTIVE_STATUSES:
        raise ValidationError(
            _("A work plan starts once an advisor is assigned."), code="not_assigned"
        )
    if WorkPlan.objects.filter(consultation=consultation).exists():
        raise ValidationError(_("This request already has a work plan."))
    plan = WorkPlan.objects.create(
        consultation=consultation,
        goal=clean_plan_text(consultation.goal, max_length=GOAL_LENGTH),
        started_by=actor,
    )
    template = (
        PlanTemplate.objects.filter(track_id=consultation.track_id)
        .prefetch_related("steps")
        .first()
    )
    template_steps = list(template.steps.all()) if template else []
    language = consultation.preferred_language
    milestones: dict[str, Milestone] = {}
    now = timezone.now()
    steps = []
    for order, item in enumerate(template_steps, start=1):
        # The organization reads the plan in its own language.
        milestone_title = getattr(item, f"milestone_title_{language}") or ""
        milestone = None
        if milestone_title:
            milestone = milestones.get(milestone_title)
            if milestone is None:
                milestone = Milestone.objects.create(
                    plan=plan, title=milestone_title, order=len(milestones) + 1
                )
                milestones[milestone_title] = milestone
        steps.append(
            PlanStep(
                plan=plan,
                milestone=milestone,
                order=order,
                title=getattr(item, f"title_{language}") or item.title,
                owner=item.owner,
                due_date=to_local(
                    moment=add_business_days(moment=now, days=item.offset_business_days)
                ).date(),
                notes=getattr(item, f"description_{language}") or "",
            )
        )
    PlanStep.objects.bulk_create(steps)
    _record(
        plan=plan,
        kind=Kind.STARTED,
        actor=actor,
        details={"steps": len(steps), "template": bool(template)},
    )
    return plan


@transaction.atomic
def work_plan_edit_goal(
    *,
    plan: WorkPlan,
    actor: AbstractBaseUser,
    goal: str,
    expected_version: str | None = None,
) -> WorkPlan:
    plan = _lock_plan(plan)
    ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    if expected_version is not None and expected_version != plan.version:
        raise ValidationError(
            _("The plan changed since the page was loaded; reload it."), code="stale"
        )
    goal = clean_plan_text(
        goal, max_length=GOAL_LENGTH, required_message=_("Write the plan's goal.")
    )
    if goal != plan.goal:
        _record(
            plan=plan,
            kind=Kind.GOAL_CHANGED,
            actor=actor,
            details={"goal": [plan.goal, goal]},
        )
        plan.goal = goal
        plan.save(update_fields=["goal", "updated_at"])
    return plan


@transaction.atomic
def milestone_add(*, plan: WorkPlan, actor: AbstractBaseUser, title: str) -> Milestone:
    plan = _lock_plan(plan)
    ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    title = clean_plan_text(
        title,
        max_length=TITLE_LENGTH,
        required_message=_("Give the milestone a title."),
    )
    if plan.milestones.count() >= MAX_MILESTONES_PER_PLAN:
        raise ValidationError(
            _("A plan holds at most %(limit)s milestones.")
            % {"limit": MAX_MILESTONES_PER_PLAN},
            code="limit",
        )
    milestone = Milestone.objects.create(
        plan=plan, title=title, order=_next_order(plan.milestones.all())
    )
    _record(plan=plan, kind=Kind.MILESTONE_ADDED, actor=actor, details={"title": title})
    return milestone


@transaction.atomic
def plan_step_add(
    *,
    plan: WorkPlan,
    actor: AbstractBaseUser,
    title: str,
    owner: str,
    due_date: date | None,
    notes: str = "",
    milestone: Milestone | None = None,
    targets: list[Player] | None = None,
) -> PlanStep:
    """A new step at the end of the plan. Its due date may not be past.
    `targets` are the map's players the step aims at, all of this plan."""
    plan = _lock_plan(plan)
    ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    errors = {}
    values = {}
    for field, clean in (
        ("title", lambda: _clean_title(title)),
        ("owner", lambda: _clean_owner(owner)),
        ("due_date", lambda: _clean_new_due_date(due_date)),
        ("notes", lambda: clean_plan_text(notes, max_length=NOTES_LENGTH)),
        ("milestone", lambda: _clean_milestone(plan, milestone)),
        ("targets", lambda: _clean_targets(plan, targets)),
    ):
        try:
            values[field] = clean()
        except ValidationError as error:
            errors[field] = error.error_list
    if errors:
        raise ValidationError(errors)
    if plan.steps.count() >= MAX_STEPS_PER_PLAN:
        raise ValidationError(
            _(
                "A plan holds at most %(limit)s steps. Drop or merge steps "
                "before adding more."
            )
            % {"limit": MAX_STEPS_PER_PLAN},
            code="limit",
        )
    chosen = values.pop("targets")
    step = PlanStep.objects.create(
        plan=plan, order=_next_order(plan.steps.all()), **values
    )
    details = {}
    if chosen:
        step.targets.set(chosen)
        details["targets"] = ", ".join(player.name for player in chosen)
    _record(plan=plan, kind=Kind.STEP_ADDED, actor=actor, step=step, details=details)
    return step


EDITABLE_FIELDS = ("title", "owner", "due_date", "status", "notes", "milestone")


@transaction.atomic
def plan_step_edit(
    *,
    step: PlanStep,
    actor: AbstractBaseUser,
    expected_version: str | None,
    title: str,
    owner: str,
    due_date: date | None,
    status: str,
    notes: str = "",
    milestone: Milestone | None = None,
    targets: list[Player] | None = None,
) -> PlanStep:
    """The advisor's edit of a step. A due date moved into the past is
    refused; one that was already past may stay as it is. `targets`, when
    given, are the map's players the step targets (None leaves them)."""
    step = _lock_step(step)
    plan = step.plan
    ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    _ensure_current(step, expected_version)
    errors = {}
    new = {}
    for field, clean in (
        ("title", lambda: _clean_title(title)),
        ("owner", lambda: _clean_owner(owner)),
        (
            "due_date",
            lambda: (
                due_date if due_date == step.due_date else _clean_new_due_date(due_date)
            ),
        ),
        ("status", lambda: _clean_status(status)),
        ("notes", lambda: clean_plan_text(notes, max_length=NOTES_LENGTH)),
        ("milestone", lambda: _clean_milestone(plan, milestone)),
        ("targets", lambda: _clean_targets(plan, targets)),
    ):
        try:
            new[field] = clean()
        except ValidationError as error:
            errors[field] = error.error_list
    if errors:
        raise ValidationError(errors)
    changes = {}
    for field in EDITABLE_FIELDS:
        before = getattr(step, field)
        if new[field] != before:
            changes[field] = [_describe(before), _describe(new[field])]
            setattr(step, field, new[field])
    if new["targets"] is not None:
        before = sorted(step.targets.all(), key=lambda player: player.pk)
        if [p.pk for p in before] != [p.pk for p in new["targets"]]:
            changes["targets"] = [
                ", ".join(p.name for p in before),
                ", ".join(p.name for p in new["targets"]),
            ]
            step.targets.set(new["targets"])
    if changes:
        step.save()
        _record(
            plan=plan,
            kind=Kind.STEP_CHANGED,
            actor=actor,
            step=step,
            details=changes,
        )
    return step


def _clean_targets(plan: WorkPlan, targets) -> list[Player] | None:
    if targets is None:
        return None
    if any(player.plan_id != plan.pk for player in targets):
        raise ValidationError(_("Choose players from this plan's map."))
    return sorted(set(targets), key=lambda player: player.pk)


def _describe(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _clean_status(status: str) -> str:
    if status not in StepStatus.values:
        raise ValidationError(_("Choose one of the statuses."), code="status")
    return status


@transaction.atomic
def plan_step_set_status(
    *,
    step: PlanStep,
    actor: AbstractBaseUser,
    status: str,
    expected_version: str | None,
) -> PlanStep:
    step = _lock_step(step)
    ensure_may_work_on(actor=actor, consultation=step.plan.consultation)
    return _set_status(step=step, actor=actor, status=status, version=expected_version)


def _set_status(*, step: PlanStep, actor, status: str, version) -> PlanStep:
    _ensure_open(step.plan.consultation)
    _ensure_current(step, version)
    status = _clean_status(status)
    if status != step.status:
        _record(
            plan=step.plan,
            kind=Kind.STEP_STATUS,
            actor=actor,
            step=step,
            details={"status": [step.status, status]},
        )
        step.status = status
        step.save(update_fields=["status", "updated_at"])
    return step


@transaction.atomic
def plan_step_move(
    *,
    step: PlanStep,
    actor: AbstractBaseUser,
    direction: str,
    expected_version: str | None,
) -> PlanStep:
    """Swap a step with its neighbour above ("up") or below ("down")."""
    step = _lock_step(step)
    plan = step.plan
    ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    _ensure_current(step, expected_version)
    if direction == "up":
        neighbour = plan.steps.filter(order__lt=step.order).order_by("-order").first()
    elif direction == "down":
        neighbour = plan.steps.filter(order__gt=step.order).order_by("order").first()
    else:
        raise ValidationError(_("Move the step up or down."))
    if neighbour is None:
        return step
    # The unique order per plan is checked row by row, so park one first.
    mine, theirs = step.order, neighbour.order
    PlanStep.objects.filter(pk=step.pk).update(order=0)
    PlanStep.objects.filter(pk=neighbour.pk).update(order=mine)
    step.order = theirs
    step.save(update_fields=["order", "updated_at"])
    _record(
        plan=plan,
        kind=Kind.STEP_MOVED,
        actor=actor,
        step=step,
        details={"order": [mine, theirs]},
    )
    return step


@transaction.atomic
def turning_point_add(
    *,
    plan: WorkPlan,
    actor: AbstractBaseUser | None,
    on: date | None,
    note: str,
) -> PlanTurningPoint:
    """An event on the plan's timeline. `actor` None is the organization
    (its status link); the view has checked the link."""
    plan = _lock_plan(plan)
    if actor is not None:
        ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)
    if on is None:
        raise ValidationError({"on": [_("Say when it happened.")]})
    note = clean_plan_text(
        note, max_length=NOTES_LENGTH, required_message=_("Say what happened.")
    )
    if plan.turning_points.count() >= MAX_TURNING_POINTS_PER_PLAN:
        raise ValidationError(
            _("A plan holds at most %(limit)s turning points.")
            % {"limit": MAX_TURNING_POINTS_PER_PLAN},
            code="limit",
        )
    point = PlanTurningPoint.objects.create(
        plan=plan, date=on, note=note, actor=actor, by_organization=actor is None
    )
    _record(
        plan=plan,
        kind=Kind.TURNING_POINT,
        actor=actor,
        details={"date": on.isoformat(), "note": note},
    )
    return point


# The organization, through its status link: its own steps, and notes.


@transaction.atomic
def plan_step_mark_done_by_organization(
    *, step: PlanStep, expected_version: str | None
) -> PlanStep:
    """The organization ticks off one of its own steps (not the advisor's)."""
    step = _lock_step(step)
    if step.owner != StepOwner.ORGANIZATION:
        raise ValidationError(
            _("Only the organization's own steps can be marked done here.")
        )
    if step.status == StepStatus.DROPPED:
        raise ValidationError(_("This step was dropped from the plan."))
    return _set_status(
        step=step, actor=None, status=StepStatus.DONE, version=expected_version
    )


@transaction.atomic
def plan_step_add_note_by_organization(
    *, step: PlanStep, note: str, expected_version: str | None
) -> PlanStep:
    """The organization adds a note under a step's notes (any step)."""
    step = _lock_step(step)
    _ensure_open(step.plan.consultation)
    _ensure_current(step, expected_version)
    note = clean_plan_text(
        note, max_length=NOTES_LENGTH, required_message=_("Write the note.")
    )
    notes = f"{step.notes}\n\n{note}" if step.notes else note
    if len(notes) > NOTES_LENGTH:
        raise ValidationError(
            _("The step's notes are full; ask your advisor to tidy them."),
            code="max_length",
        )
    step.notes = notes
    step.save(update_fields=["notes", "updated_at"])
    _record(
        plan=step.plan,
        kind=Kind.STEP_NOTE,
        actor=None,
        step=step,
        details={"note": note},
    )
    return step


def work_plan_erase_personal_data(*, consultation: Consultation) -> None:
    """For anonymization: the plan's free text (the goal copied from the
    request, notes, turning points, the history's before/after values) may
    hold personal data; the steps' titles, owners, dates and statuses stay
    for the statistics. The caller holds the transaction and the lock."""
    plans = WorkPlan.objects.filter(consultation=consultation)
    plans.update(goal="")
    PlanStep.objects.filter(plan__in=plans).update(notes="")
    PlanTurningPoint.objects.filter(plan__in=plans).update(note="")
    PlanEvent.objects.filter(plan__in=plans).update(details={})
    # The map names people and what the organization thinks of them.
    Player.objects.filter(plan__in=plans).delete()
