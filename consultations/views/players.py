"""The map of the players, the milestones' edits and the printable plan
(issue 18).

The advisor's pages start from the scoped selector (the assigned advisor,
or staff by the crisis rule), so any other request answers 404; the
organization's pages are reached by its status link only. One template
serves both, with the links of each side.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.forms.players import MilestoneEditForm, PlayerForm
from consultations.insight.player_map import Point, player_chart
from consultations.selectors.engagement import (
    consultation_get_for_plan,
    plan_sections,
    work_plan_get,
)
from consultations.selectors.players import player_get, player_map_get
from consultations.services import milestones as milestone_services
from consultations.services import players as services
from consultations.views.engagement import _apply
from consultations.views.status_link import status_link

PLAYER_FIELDS = services.FIELDS


class Side:
    """The links of one side: the advisor's workspace or the status link."""

    def __init__(self, *, consultation, token: str | None = None):
        self.consultation = consultation
        self.token = token
        self.is_organization = token is not None

    def url(self, name: str, **kwargs) -> str:
        if self.is_organization:
            return reverse(
                f"consultations:status_{name}", kwargs={"token": self.token, **kwargs}
            )
        return reverse(
            f"workspace:{name}", kwargs={"pk": self.consultation.pk, **kwargs}
        )


def _chart(player_map):
    return player_chart(
        points=[
            Point(
                name=row.player.name,
                stance=row.player.stance,
                influence=row.player.influence,
                interest=row.player.interest,
                key_without_step=row.key_without_step,
            )
            for row in player_map.rows
        ],
        rtl=translation.get_language_bidi(),
    )


def _render_map(request, side, plan, *, form=None, status=200):
    context = {
        "consultation": side.consultation,
        "plan": plan,
        "side": side,
        "back_url": side.url("plan"),
        "can_change": plan is not None and not side.consultation.is_closed,
    }
    if plan is not None:
        player_map = player_map_get(plan=plan)
        context.update(
            player_map=player_map,
            chart=_chart(player_map),
            rows=[
                {
                    "row": row,
                    "edit_url": side.url("player_edit", player_pk=row.player.pk),
                }
                for row in player_map.rows
            ],
            print_url=side.url("plan_print"),
            form=form or PlayerForm(action=side.url("player_add")),
            error_forms=[form] if form is not None and form.errors else [],
        )
    return render(
        request, "consultations/engagement/players.html", context, status=status
    )


def _add(request, side, plan):
    if plan is None:
        raise Http404
    form = PlayerForm(request.POST, action=request.path)
    actor = None if side.is_organization else request.user
    if form.is_valid() and _apply(
        request,
        form,
        lambda: services.player_add(
            plan=plan,
            actor=actor,
            **{name: form.cleaned_data[name] for name in PLAYER_FIELDS},
        ),
        _("The player was added to the map."),
    ):
        return redirect(side.url("players"))
    return _render_map(request, side, plan, form=form, status=400)


def _edit(request, side, plan, player_pk: int):
    player = player_get(plan=plan, pk=player_pk) if plan else None
    if player is None:
        raise Http404
    actor = None if side.is_organization else request.user
    form = PlayerForm(
        request.POST or None,
        action=request.path,
        editing=True,
        initial={
            **{name: getattr(player, name) for name in PLAYER_FIELDS},
            "version": player.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.player_edit(
                player=player,
                actor=actor,
                expected_version=data["version"] or None,
                **{name: data[name] for name in PLAYER_FIELDS},
            ),
            _("The player was saved."),
        ):
            return redirect(side.url("players"))
    return render(
        request,
        "consultations/engagement/player_edit.html",
        {
            "consultation": side.consultation,
            "player": player,
            "form": form,
            "back_url": side.url("players"),
            "remove_url": side.url("player_remove", player_pk=player.pk),
            "can_change": not side.consultation.is_closed,
        },
        status=400 if request.method == "POST" else 200,
    )


def _remove(request, side, plan, player_pk: int):
    player = player_get(plan=plan, pk=player_pk) if plan else None
    if player is None:
        raise Http404
    try:
        services.player_remove(
            player=player,
            actor=None if side.is_organization else request.user,
            expected_version=request.POST.get("version") or None,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(side.url("player_edit", player_pk=player.pk))
    messages.success(request, _("The player was removed from the map."))
    return redirect(side.url("players"))


def _print(request, side, plan):
    if plan is None:
        raise Http404
    player_map = player_map_get(plan=plan)
    targets: dict[int, list[str]] = {}
    for row in player_map.rows:
        for step in [*row.planned, *row.done]:
            targets.setdefault(step.pk, []).append(row.player.name)
    sections = [
        (milestone, [(step, targets.get(step.pk, [])) for step in steps])
        for milestone, steps in plan_sections(plan=plan)
    ]
    return render(
        request,
        "consultations/engagement/plan_print.html",
        {
            "consultation": side.consultation,
            "plan": plan,
            "sections": sections,
            "player_map": player_map,
            "chart": _chart(player_map),
            "rows": [{"row": row} for row in player_map.rows],
            "back_url": side.url("plan"),
        },
    )


# The advisor's pages


def _workspace(request, pk: int):
    consultation = consultation_get_for_plan(user=request.user, pk=pk)
    if consultation is None:
        raise Http404
    plan = work_plan_get(consultation=consultation, with_history=False)
    return Side(consultation=consultation), plan


@login_required
@require_GET
def players_page(request, pk: int):
    side, plan = _workspace(request, pk)
    return _render_map(request, side, plan)


@login_required
@require_POST
def player_add(request, pk: int):
    return _add(request, *_workspace(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def player_edit(request, pk: int, player_pk: int):
    return _edit(request, *_workspace(request, pk), player_pk)


@login_required
@require_POST
def player_remove(request, pk: int, player_pk: int):
    return _remove(request, *_workspace(request, pk), player_pk)


@login_required
@require_GET
def plan_print(request, pk: int):
    return _print(request, *_workspace(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk: int, milestone_pk: int):
    side, plan = _workspace(request, pk)
    milestone = next(
        (m for m in (plan.milestones.all() if plan else []) if m.pk == milestone_pk),
        None,
    )
    if milestone is None:
        raise Http404
    form = MilestoneEditForm(
        request.POST or None,
        action=request.path,
        initial={"title": milestone.title, "shown": milestone.title},
    )
    if request.method == "POST" and form.is_valid():
        if _apply(
            request,
            form,
            lambda: milestone_services.milestone_edit(
                milestone=milestone,
                actor=request.user,
                title=form.cleaned_data["title"],
                shown_title=form.cleaned_data["shown"] or None,
            ),
            _("The milestone was saved."),
        ):
            return redirect(side.url("plan"))
    return render(
        request,
        "workspace/milestone_edit.html",
        {
            "consultation": side.consultation,
            "milestone": milestone,
            "form": form,
            "steps": [s for s in plan.steps.all() if s.milestone_id == milestone.pk],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def milestone_delete(request, pk: int, milestone_pk: int):
    side, plan = _workspace(request, pk)
    milestone = next(
        (m for m in (plan.milestones.all() if plan else []) if m.pk == milestone_pk),
        None,
    )
    if milestone is None:
        raise Http404
    try:
        milestone_services.milestone_delete(
            milestone=milestone,
            actor=request.user,
            shown_title=request.POST.get("shown") or None,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(side.url("milestone_edit", milestone_pk=milestone.pk))
    messages.success(
        request, _("The milestone was deleted; its steps stay in the plan.")
    )
    return redirect(side.url("plan"))


# The organization's pages, by its status link


def _status(consultation, token):
    plan = work_plan_get(consultation=consultation, with_history=False)
    return Side(consultation=consultation, token=token), plan


@never_cache
@require_GET
@status_link
def status_players(request, token, *, consultation):
    return _render_map(request, *_status(consultation, token))


@never_cache
@require_POST
@status_link
def status_player_add(request, token, *, consultation):
    return _add(request, *_status(consultation, token))


@never_cache
@require_http_methods(["GET", "POST"])
@status_link
def status_player_edit(request, token, player_pk: int, *, consultation):
    return _edit(request, *_status(consultation, token), player_pk)


@never_cache
@require_POST
@status_link
def status_player_remove(request, token, player_pk: int, *, consultation):
    return _remove(request, *_status(consultation, token), player_pk)


@never_cache
@require_GET
@status_link
def status_plan_print(request, token, *, consultation):
    return _print(request, *_status(consultation, token))
