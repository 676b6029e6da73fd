"""The work plan's pages (issue 18).

The advisor's page in the workspace starts from the scoped selector (the
assigned advisor, or staff by the crisis rule), so any other request
answers 404. The organization's page is reached by its status link only.
A refused change shows the page again with what was typed and the
service's messages; a change that worked redirects back (post/redirect/get).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.forms.engagement import (
    MilestoneForm,
    PlanGoalForm,
    PlanStepForm,
    StepNoteForm,
    TurningPointForm,
)
from consultations.forms.players import targets_field
from consultations.models import PlanStep, StepOwner
from consultations.selectors.engagement import (
    consultation_get_for_plan,
    plan_sections,
    plan_step_get,
    plan_template_steps,
    work_plan_get,
)
from consultations.selectors.players import players_for_step_form
from consultations.services import engagement as services
from consultations.views.status_link import status_link


def _apply(request, form, call, success_message) -> bool:
    """Run a service with a valid form; its refusals become the form's errors."""
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    messages.success(request, success_message)
    return True


# The advisor's page


def _workspace_plan(request, pk: int):
    consultation = consultation_get_for_plan(user=request.user, pk=pk)
    if consultation is None:
        raise Http404
    return consultation, work_plan_get(consultation=consultation)


def _plan_url(consultation) -> str:
    return reverse("workspace:plan", kwargs={"pk": consultation.pk})


def _targets(plan):
    """The step form's choice of the map's players, when the map has any."""
    players = players_for_step_form(plan=plan)
    return targets_field(plan=plan, players=players) if players else None


def _render_plan(request, consultation, plan, *, status=200, **bound):
    def action(name, **kwargs):
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk, **kwargs})

    context = {"consultation": consultation, "plan": plan}
    if plan is None:
        context["template_steps"] = plan_template_steps(consultation=consultation)
    else:
        context.update(
            sections=plan_sections(plan=plan),
            goal_form=PlanGoalForm(
                action=action("plan_goal"),
                initial={"goal": plan.goal, "version": plan.version},
            ),
            step_form=PlanStepForm(
                plan=plan, action=action("plan_step_add"), targets=_targets(plan)
            ),
            milestone_form=MilestoneForm(action=action("plan_milestone_add")),
            turning_point_form=TurningPointForm(action=action("plan_turning_point")),
            statuses=PlanStep.Status.choices,
        )
        context.update(bound)
        forms = [context[name] for name in bound]
        context["error_forms"] = [form for form in forms if form.errors]
    return render(request, "workspace/plan.html", context, status=status)


@login_required
@require_GET
def plan_page(request, pk: int):
    consultation, plan = _workspace_plan(request, pk)
    return _render_plan(request, consultation, plan)


@login_required
@require_POST
def plan_start(request, pk: int):
    consultation, plan = _workspace_plan(request, pk)
    try:
        services.work_plan_start_from_template(
            consultation=consultation, actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The work plan was started from the template."))
    return redirect(_plan_url(consultation))


def _plan_form_view(request, pk, form_name, build_form, call, success_message):
    consultation, plan = _workspace_plan(request, pk)
    if plan is None:
        raise Http404
    form = build_form(plan)
    if form.is_valid() and _apply(
        request, form, lambda: call(plan, form.cleaned_data), success_message
    ):
        return redirect(_plan_url(consultation))
    return _render_plan(request, consultation, plan, status=400, **{form_name: form})


@login_required
@require_POST
def plan_goal(request, pk: int):
    return _plan_form_view(
        request,
        pk,
        "goal_form",
        lambda plan: PlanGoalForm(request.POST, action=request.path),
        lambda plan, data: services.work_plan_edit_goal(
            plan=plan,
            actor=request.user,
            goal=data["goal"],
            expected_version=data["version"] or None,
        ),
        _("The goal was saved."),
    )


@login_required
@require_POST
def plan_step_add(request, pk: int):
    return _plan_form_view(
        request,
        pk,
        "step_form",
        lambda plan: PlanStepForm(
            request.POST, plan=plan, action=request.path, targets=_targets(plan)
        ),
        lambda plan, data: services.plan_step_add(
            plan=plan,
            actor=request.user,
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            notes=data["notes"],
            milestone=data["milestone"],
            targets=list(data.get("targets", ())),
        ),
        _("The step was added."),
    )


@login_required
@require_POST
def plan_milestone_add(request, pk: int):
    return _plan_form_view(
        request,
        pk,
        "milestone_form",
        lambda plan: MilestoneForm(request.POST, action=request.path),
        lambda plan, data: services.milestone_add(
            plan=plan, actor=request.user, title=data["title"]
        ),
        _("The milestone was added."),
    )


@login_required
@require_POST
def plan_turning_point(request, pk: int):
    return _plan_form_view(
        request,
        pk,
        "turning_point_form",
        lambda plan: TurningPointForm(request.POST, action=request.path),
        lambda plan, data: services.turning_point_add(
            plan=plan, actor=request.user, on=data["on"], note=data["note"]
        ),
        _("The turning point was added to the plan."),
    )


def _workspace_step(request, pk: int, step_pk: int):
    consultation, plan = _workspace_plan(request, pk)
    step = plan_step_get(plan=plan, pk=step_pk) if plan else None
    if step is None:
        raise Http404
    return consultation, plan, step


@login_required
@require_http_methods(["GET", "POST"])
def plan_step_edit(request, pk: int, step_pk: int):
    consultation, plan, step = _workspace_step(request, pk, step_pk)
    form = PlanStepForm(
        request.POST or None,
        plan=plan,
        action=request.path,
        editing=True,
        targets=_targets(plan),
        initial={
            "targets": [player.pk for player in step.targets.all()],
            "title": step.title,
            "owner": step.owner,
            "due_date": step.due_date,
            "milestone": step.milestone_id,
            "notes": step.notes,
            "status": step.status,
            "version": step.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.plan_step_edit(
                step=step,
                actor=request.user,
                expected_version=data["version"] or None,
                title=data["title"],
                owner=data["owner"],
                due_date=data["due_date"],
                status=data["status"],
                notes=data["notes"],
                milestone=data["milestone"],
                targets=list(data["targets"]) if "targets" in data else None,
            ),
            _("The step was saved."),
        ):
            return redirect(_plan_url(consultation))
    return render(
        request,
        "workspace/plan_step_edit.html",
        {"consultation": consultation, "step": step, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _step_action(request, pk, step_pk, call, success_message):
    """A one-button change of a step (status, move): refusals as messages."""
    consultation, plan, step = _workspace_step(request, pk, step_pk)
    try:
        call(step, request.POST.get("version") or None)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success_message)
    return redirect(_plan_url(consultation))


@login_required
@require_POST
def plan_step_status(request, pk: int, step_pk: int):
    return _step_action(
        request,
        pk,
        step_pk,
        lambda step, version: services.plan_step_set_status(
            step=step,
            actor=request.user,
            status=request.POST.get("status", ""),
            expected_version=version,
        ),
        _("The step's status was changed."),
    )


@login_required
@require_POST
def plan_step_move(request, pk: int, step_pk: int):
    return _step_action(
        request,
        pk,
        step_pk,
        lambda step, version: services.plan_step_move(
            step=step,
            actor=request.user,
            direction=request.POST.get("direction", ""),
            expected_version=version,
        ),
        _("The step was moved."),
    )


# The organization's page, by its status link


def _status_plan(consultation):
    return consultation, work_plan_get(consultation=consultation, with_history=False)


def _status_plan_url(token: str) -> str:
    return reverse("consultations:status_plan", kwargs={"token": token})


def _render_status_plan(request, token, consultation, plan, *, status=200, bound=None):
    bound = bound or {}
    sections = []
    if plan is not None:
        for milestone, steps in plan_sections(plan=plan):
            rows = []
            for step in steps:
                action = reverse(
                    "consultations:status_plan_note",
                    kwargs={"token": token, "step_pk": step.pk},
                )
                form = bound.get(step.pk) or StepNoteForm(
                    step=step, action=action, initial={"version": step.version}
                )
                rows.append((step, form))
            sections.append((milestone, rows))
    turning_point_form = bound.get("turning_point") or TurningPointForm(
        action=reverse(
            "consultations:status_plan_turning_point", kwargs={"token": token}
        )
    )
    error_forms = [form for form in bound.values() if form.errors]
    return render(
        request,
        "consultations/engagement/status_plan.html",
        {
            "consultation": consultation,
            "token": token,
            "plan": plan,
            "sections": sections,
            "organization_owner": StepOwner.ORGANIZATION,
            "turning_point_form": turning_point_form,
            "error_forms": error_forms,
            "can_change": plan is not None and not consultation.is_closed,
        },
        status=status,
    )


@never_cache
@require_GET
@status_link
def status_plan(request, token, *, consultation):
    consultation, plan = _status_plan(consultation)
    return _render_status_plan(request, token, consultation, plan)


def _status_step(consultation, step_pk):
    consultation, plan = _status_plan(consultation)
    step = plan_step_get(plan=plan, pk=step_pk) if plan else None
    if step is None:
        raise Http404
    return consultation, plan, step


@never_cache
@require_POST
@status_link
def status_plan_done(request, token, step_pk: int, *, consultation):
    consultation, plan, step = _status_step(consultation, step_pk)
    try:
        services.plan_step_mark_done_by_organization(
            step=step, expected_version=request.POST.get("version") or None
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The step is marked done."))
    return redirect(_status_plan_url(token))


@never_cache
@require_POST
@status_link
def status_plan_note(request, token, step_pk: int, *, consultation):
    consultation, plan, step = _status_step(consultation, step_pk)
    form = StepNoteForm(request.POST, step=step, action=request.path)
    if form.is_valid() and _apply(
        request,
        form,
        lambda: services.plan_step_add_note_by_organization(
            step=step,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"] or None,
        ),
        _("Your note was added to the step."),
    ):
        return redirect(_status_plan_url(token))
    return _render_status_plan(
        request, token, consultation, plan, status=400, bound={step.pk: form}
    )


@never_cache
@require_POST
@status_link
def status_plan_turning_point(request, token, *, consultation):
    consultation, plan = _status_plan(consultation)
    if plan is None:
        raise Http404
    form = TurningPointForm(request.POST, action=request.path)
    if form.is_valid() and _apply(
        request,
        form,
        lambda: services.turning_point_add(
            plan=plan,
            actor=None,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        ),
        _("The turning point was added to the plan."),
    ):
        return redirect(_status_plan_url(token))
    return _render_status_plan(
        request, token, consultation, plan, status=400, bound={"turning_point": form}
    )
