"""The engagement: a request's shared work plan (issue 18).

A track's `PlanTemplate` suggests the steps; the advisor starts the
request's `WorkPlan` from it and edits it; the organization marks its own
steps done and adds notes. Every change is a `PlanEvent` row (who, when,
what), which is also the plan's kept revisions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .requests import Consultation

# Bounds, so that a pasted novel or a scripted flood cannot fill a plan.
MAX_STEPS_PER_PLAN = 200
MAX_MILESTONES_PER_PLAN = 30
MAX_TURNING_POINTS_PER_PLAN = 100
TITLE_LENGTH = 200
NOTES_LENGTH = 2000
GOAL_LENGTH = 5000


class StepOwner(models.TextChoices):
    ORGANIZATION = "organization", _("The organization")
    ADVISOR = "advisor", _("The advisor or the center")


class PlanTemplate(TimeStampedModel):
    """A track's suggested plan: what an advisor starts from."""

    track = models.OneToOneField(
        "tracks.Track",
        on_delete=models.CASCADE,
        related_name="plan_template",
        verbose_name=_("track"),
    )

    class Meta:
        ordering = ["track__order"]
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")

    def __str__(self):
        return str(self.track)


class PlanTemplateStep(models.Model):
    """One suggested step; title, description and milestone in three languages."""

    template = models.ForeignKey(
        PlanTemplate,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("plan template"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    description = models.TextField(_("description"), blank=True)
    milestone_title = models.CharField(
        _("milestone"), max_length=TITLE_LENGTH, blank=True
    )
    owner = models.CharField(_("owner"), max_length=20, choices=StepOwner.choices)
    offset_business_days = models.PositiveSmallIntegerField(
        _("due after (business days)"),
        default=10,
        help_text=_("Suggested due date, in business days from the plan's start."),
    )

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__in=StepOwner.values),
                name="plan_template_step_owner_valid",
            ),
        ]

    def __str__(self):
        return self.title


class WorkPlan(TimeStampedModel):
    """The request's plan: its goal, and the milestones and steps under it."""

    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.CASCADE,
        related_name="work_plan",
        verbose_name=_("request"),
    )
    goal = models.TextField(_("goal"), max_length=GOAL_LENGTH)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")

    def __str__(self):
        return str(self.consultation)

    @property
    def version(self) -> str:
        return self.updated_at.isoformat()


class Milestone(models.Model):
    """An optional grouping of steps, in order."""

    plan = models.ForeignKey(
        WorkPlan,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("work plan"),
    )
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "order"], name="milestone_order_unique_per_plan"
            ),
        ]

    def __str__(self):
        return self.title


class PlanStep(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        WorkPlan,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("work plan"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("milestone"),
    )
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    owner = models.CharField(_("owner"), max_length=20, choices=StepOwner.choices)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("notes"), max_length=NOTES_LENGTH, blank=True)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "order"], name="plan_step_order_unique_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "dropped"]),
                name="plan_step_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(owner__in=StepOwner.values),
                name="plan_step_owner_valid",
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="plan_step_title_not_empty"
            ),
        ]
        indexes = [
            # Reminders and the digest (next slice) look for open steps by date.
            models.Index(fields=["status", "due_date"], name="plan_step_due"),
        ]

    def __str__(self):
        return self.title

    @property
    def version(self) -> str:
        """What a page posts back when it edits this step (stale edits are refused)."""
        return self.updated_at.isoformat()


class PlanTurningPoint(models.Model):
    """An event on the plan's timeline ("the committee postponed the vote")."""

    plan = models.ForeignKey(
        WorkPlan,
        on_delete=models.CASCADE,
        related_name="turning_points",
        verbose_name=_("work plan"),
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=NOTES_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_organization = models.BooleanField(_("by the organization"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "date", "pk"]
        verbose_name = _("turning point")
        verbose_name_plural = _("turning points")

    def __str__(self):
        return f"{self.date}: {self.note[:50]}"


class PlanEvent(models.Model):
    """History of the plan: who changed what, when. The request's history
    (StatusChange) holds status moves only, so the plan keeps its own."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Plan started")
        GOAL_CHANGED = "goal_changed", _("Goal changed")
        STEP_ADDED = "step_added", _("Step added")
        STEP_CHANGED = "step_changed", _("Step changed")
        STEP_STATUS = "step_status", _("Step status changed")
        STEP_MOVED = "step_moved", _("Step moved")
        STEP_NOTE = "step_note", _("Note added to a step")
        MILESTONE_ADDED = "milestone_added", _("Milestone added")
        TURNING_POINT = "turning_point", _("Turning point")
        MILESTONE_CHANGED = "milestone_changed", _("Milestone renamed")
        MILESTONE_DELETED = "milestone_deleted", _("Milestone deleted")
        PLAYER_ADDED = "player_added", _("Player added to the map")
        PLAYER_CHANGED = "player_changed", _("Player changed")
        PLAYER_REMOVED = "player_removed", _("Player removed from the map")

    plan = models.ForeignKey(
        WorkPlan,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("work plan"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_organization = models.BooleanField(_("by the organization"), default=False)
    step_title = models.CharField(_("step"), max_length=TITLE_LENGTH, blank=True)
    # What changed, as field: [before, after] pairs (or the note added).
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "started",
                        "goal_changed",
                        "step_added",
                        "step_changed",
                        "step_status",
                        "step_moved",
                        "step_note",
                        "milestone_added",
                        "turning_point",
                        "milestone_changed",
                        "milestone_deleted",
                        "player_added",
                        "player_changed",
                        "player_removed",
                    ]
                ),
                name="plan_event_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.plan_id}: {self.kind}"
