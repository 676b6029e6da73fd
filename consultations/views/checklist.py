"""The checklist of policy tools' pages (issue 18).

The organization takes the checklist, and reads its profile, through its
status link only; the advisor reads the profile in the workspace (the
scoped selector: the assigned advisor, or staff by the crisis rule) and
adds a tool's suggested step to the work plan.
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

from consultations.forms.checklist import ChecklistForm
from consultations.models import ChecklistAssessment, WorkPlan
from consultations.selectors.checklist import (
    checklist_profile,
    policy_tool_get,
    policy_tools_active,
)
from consultations.selectors.engagement import consultation_get_for_plan
from consultations.services import checklist as services
from consultations.views.status_link import status_link

# The organization's pages, by its status link


@never_cache
@require_http_methods(["GET", "POST"])
@status_link
def status_checklist(request, token, *, consultation):
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        tools=policy_tools_active(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.checklist_take(
                    consultation=consultation,
                    answers=form.answers(),
                    source=ChecklistAssessment.Source.STATUS_PAGE,
                )
            except ValidationError as error:
                form.add_error(None, ValidationError(error.messages))
            else:
                messages.success(
                    request,
                    _("Thank you. Your checklist was saved; here is your profile."),
                )
                return redirect(
                    reverse("consultations:status_checklist", kwargs={"token": token})
                    + "#profile-heading"
                )
    return render(
        request,
        "consultations/checklist/status_checklist.html",
        {
            "consultation": consultation,
            "token": token,
            "profile": checklist_profile(consultation=consultation),
            "form": form,
            "may_take": consultation.anonymized_at is None
            and consultation.status
            not in (
                consultation.Status.DECLINED,
                consultation.Status.WITHDRAWN,
            ),
        },
        status=status,
    )


# The advisor's page


def _workspace_consultation(request, pk: int):
    consultation = consultation_get_for_plan(user=request.user, pk=pk)
    if consultation is None:
        raise Http404
    return consultation


@login_required
@require_GET
def checklist_page(request, pk: int):
    consultation = _workspace_consultation(request, pk)
    has_plan = WorkPlan.objects.filter(consultation=consultation).exists()
    may_add_steps = not consultation.is_closed
    return render(
        request,
        "workspace/checklist.html",
        {
            "consultation": consultation,
            "profile": checklist_profile(consultation=consultation),
            "has_plan": has_plan,
            "may_add_steps": may_add_steps,
            "add_steps": has_plan and may_add_steps,
        },
    )


@login_required
@require_POST
def checklist_add_step(request, pk: int, tool_pk: int):
    consultation = _workspace_consultation(request, pk)
    tool = policy_tool_get(pk=tool_pk)
    if tool is None:
        raise Http404
    try:
        step = services.checklist_add_suggested_step(
            consultation=consultation, tool=tool, actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The step “%(title)s” was added to the work plan.")
            % {"title": step.title},
        )
    return redirect("workspace:checklist", pk=consultation.pk)
