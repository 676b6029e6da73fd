"""Reads of the map of the players (issue 18), in a constant number of
queries however many players and steps a plan has."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from consultations.models import PlanStep, Player, WorkPlan
from consultations.models.players import MAX_PLAYERS_PER_PLAN

OPEN_STEP = (PlanStep.Status.PLANNED, PlanStep.Status.IN_PROGRESS)


@dataclass
class PlayerRow:
    """A player with the plan's steps that target it, planned and done
    (dropped steps count as neither)."""

    player: Player
    planned: list[PlanStep] = field(default_factory=list)
    done: list[PlanStep] = field(default_factory=list)

    @property
    def key_without_step(self) -> bool:
        return self.player.is_key and not self.planned and not self.done


@dataclass
class PlayerMap:
    rows: list[PlayerRow]
    limit: int = MAX_PLAYERS_PER_PLAN

    @property
    def key_without_step(self) -> list[PlayerRow]:
        """Influence 4–5 and not one step of the plan aims at them: what an
        advisor most needs to see."""
        return [row for row in self.rows if row.key_without_step]

    @property
    def is_full(self) -> bool:
        return len(self.rows) >= self.limit


def player_map_get(*, plan: WorkPlan) -> PlayerMap:
    """Every player of `plan` with its steps: two queries."""
    players = Player.objects.filter(plan=plan).prefetch_related(
        Prefetch("steps", queryset=PlanStep.objects.order_by("order"))
    )
    rows = []
    for player in players:
        player.plan = plan
        row = PlayerRow(player)
        for step in player.steps.all():
            if step.status in OPEN_STEP:
                row.planned.append(step)
            elif step.status == PlanStep.Status.DONE:
                row.done.append(step)
        rows.append(row)
    return PlayerMap(rows)


def player_get(*, plan: WorkPlan, pk: int) -> Player | None:
    player = Player.objects.filter(plan=plan, pk=pk).first()
    if player is not None:
        player.plan = plan
    return player


def players_for_step_form(*, plan: WorkPlan) -> list[Player]:
    return list(Player.objects.filter(plan=plan).order_by("-influence", "name"))
