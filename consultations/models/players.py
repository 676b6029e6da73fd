"""The map of the players (מיפוי שחקנים, issue 18): the actors in the arena
of a request's work plan, each with its stance on the goal, its influence
over the decision and its interest in the issue (the three axes of ODI's
alignment, interest and influence matrix), and the plan's steps that
target it. Changes are PlanEvent rows, like the plan's own."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .engagement import NOTES_LENGTH, TITLE_LENGTH, PlanStep, WorkPlan

# Bounds: a map is read on one screen, and a scripted flood cannot fill it.
MAX_PLAYERS_PER_PLAN = 300
NAME_LENGTH = TITLE_LENGTH
RELATIONSHIP_LENGTH = 500
NOTE_LENGTH = NOTES_LENGTH
SCALE = range(1, 6)
# Influence 4–5: a key player, who should have a step of the plan.
KEY_INFLUENCE = 4


class Player(TimeStampedModel):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Government ministry")
        KNESSET = "knesset", _("Knesset")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        REGIONAL_CLUSTER = "regional_cluster", _("Regional cluster")
        MEDIA = "media", _("Media")
        CIVIL_SOCIETY = "civil_society", _("Civil-society organization")
        BUSINESS = "business", _("Business")
        OTHER = "other", _("Other")

    class Stance(models.TextChoices):
        # In the order of the chart's axis; unknown has its own band.
        OPPOSES = "opposes", _("Opposes")
        NEUTRAL = "neutral", _("Neutral")
        SUPPORTS = "supports", _("Supports")
        UNKNOWN = "unknown", _("Unknown")

    plan = models.ForeignKey(
        WorkPlan,
        on_delete=models.CASCADE,
        related_name="players",
        verbose_name=_("work plan"),
    )
    name = models.CharField(_("name"), max_length=NAME_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    stance = models.CharField(
        _("stance"), max_length=10, choices=Stance.choices, default=Stance.UNKNOWN
    )
    influence = models.PositiveSmallIntegerField(_("influence"))
    interest = models.PositiveSmallIntegerField(_("interest"))
    relationship = models.CharField(
        _("relationship with the organization"),
        max_length=RELATIONSHIP_LENGTH,
        blank=True,
    )
    note = models.TextField(_("note"), max_length=NOTE_LENGTH, blank=True)
    steps = models.ManyToManyField(
        PlanStep,
        related_name="targets",
        blank=True,
        verbose_name=_("steps that target it"),
    )

    class Meta:
        ordering = ["plan", "-influence", "name", "pk"]
        verbose_name = _("player")
        verbose_name_plural = _("players")
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5),
                name="player_influence_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=1, interest__lte=5),
                name="player_interest_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "ministry",
                        "knesset",
                        "local_authority",
                        "regional_cluster",
                        "media",
                        "civil_society",
                        "business",
                        "other",
                    ]
                ),
                name="player_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=["opposes", "neutral", "supports", "unknown"]),
                name="player_stance_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def version(self) -> str:
        """What a page posts back to edit this player (stale edits are refused)."""
        return self.updated_at.isoformat()

    @property
    def is_key(self) -> bool:
        return self.influence >= KEY_INFLUENCE
