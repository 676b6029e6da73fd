"""The map of the players (issue 18): added, changed and removed by the
assigned advisor (or staff by the crisis rule) in the workspace, and by the
organization through its status link.

Like the plan's steps, every change writes a PlanEvent (who, when, what),
and an edit carries the player's `version` as the page showed it: a player
changed since is refused, never overwritten. `actor` None is the
organization; the view has checked its link.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultations.models import PlanEvent, Player, WorkPlan
from consultations.models.players import (
    MAX_PLAYERS_PER_PLAN,
    NAME_LENGTH,
    NOTE_LENGTH,
    RELATIONSHIP_LENGTH,
    SCALE,
)
from consultations.services.access import ensure_may_work_on
from consultations.services.engagement import (
    _ensure_open,
    _lock_plan,
    _record,
    clean_plan_text,
)

Kind = PlanEvent.Kind
FIELDS = ("name", "kind", "stance", "influence", "interest", "relationship", "note")


def _clean_scale(value, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number not in SCALE:
        raise ValidationError(message, code="scale")
    return number


def _clean_choice(value: str, choices, message: str) -> str:
    if value not in choices:
        raise ValidationError(message, code="choice")
    return value


def _clean_fields(values: dict) -> dict:
    """Every field checked, and every refusal reported at once."""
    cleaners = {
        "name": lambda v: clean_plan_text(
            v, max_length=NAME_LENGTH, required_message=_("Give the player a name.")
        ),
        "kind": lambda v: _clean_choice(
            v, Player.Kind.values, _("Choose what kind of player it is.")
        ),
        "stance": lambda v: _clean_choice(
            v, Player.Stance.values, _("Choose the player's stance on the goal.")
        ),
        "influence": lambda v: _clean_scale(
            v, _("Influence is a number from 1 (little) to 5 (decisive).")
        ),
        "interest": lambda v: _clean_scale(
            v, _("Interest is a number from 1 (little) to 5 (a great deal).")
        ),
        "relationship": lambda v: clean_plan_text(v, max_length=RELATIONSHIP_LENGTH),
        "note": lambda v: clean_plan_text(v, max_length=NOTE_LENGTH),
    }
    errors, cleaned = {}, {}
    for field, clean in cleaners.items():
        try:
            cleaned[field] = clean(values.get(field, ""))
        except ValidationError as error:
            errors[field] = error.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def _may_change(plan: WorkPlan, actor: AbstractBaseUser | None) -> None:
    if actor is not None:
        ensure_may_work_on(actor=actor, consultation=plan.consultation)
    _ensure_open(plan.consultation)


def _lock_player(player: Player) -> Player:
    plan = _lock_plan(player.plan)
    player = Player.objects.select_for_update().get(pk=player.pk)
    player.plan = plan
    return player


def _ensure_current(player: Player, expected_version: str | None) -> None:
    if expected_version is not None and expected_version != player.version:
        raise ValidationError(
            _("This player changed since the page was loaded; reload it."),
            code="stale",
        )


@transaction.atomic
def player_add(*, plan: WorkPlan, actor: AbstractBaseUser | None, **values) -> Player:
    """A new player on the map (at most MAX_PLAYERS_PER_PLAN)."""
    plan = _lock_plan(plan)
    _may_change(plan, actor)
    cleaned = _clean_fields(values)
    if plan.players.count() >= MAX_PLAYERS_PER_PLAN:
        raise ValidationError(
            _(
                "A map holds at most %(limit)s players. Remove or merge players "
                "before adding more."
            )
            % {"limit": MAX_PLAYERS_PER_PLAN},
            code="limit",
        )
    player = Player.objects.create(plan=plan, **cleaned)
    _record(
        plan=plan,
        kind=Kind.PLAYER_ADDED,
        actor=actor,
        details={"player": player.name},
    )
    return player


@transaction.atomic
def player_edit(
    *,
    player: Player,
    actor: AbstractBaseUser | None,
    expected_version: str | None,
    **values,
) -> Player:
    player = _lock_player(player)
    _may_change(player.plan, actor)
    _ensure_current(player, expected_version)
    cleaned = _clean_fields(values)
    changes = {}
    for field in FIELDS:
        before = getattr(player, field)
        if cleaned[field] != before:
            changes[field] = [str(before), str(cleaned[field])]
            setattr(player, field, cleaned[field])
    if changes:
        player.save(update_fields=[*changes, "updated_at"])
        _record(
            plan=player.plan,
            kind=Kind.PLAYER_CHANGED,
            actor=actor,
            details={"player": player.name, **changes},
        )
    return player


@transaction.atomic
def player_remove(
    *, player: Player, actor: AbstractBaseUser | None, expected_version: str | None
) -> None:
    """Off the map; the steps that targeted it stay in the plan."""
    player = _lock_player(player)
    _may_change(player.plan, actor)
    _ensure_current(player, expected_version)
    _record(
        plan=player.plan,
        kind=Kind.PLAYER_REMOVED,
        actor=actor,
        details={"player": player.name},
    )
    player.delete()
