"""Follow-ups: response policies and scheduled follow-ups (services/followups/)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .requests import Consultation, StatusChange

# Follow-ups: response policy, scheduled follow-ups, feedback.


class ResponsePolicy(TimeStampedModel):
    """How soon a request must get its first response, and when to remind.

    One row per urgency applies to every track; a row that names a track
    overrides it for that track. Without any row the settings'
    defaults apply (3 business days; urgent and crisis 1).
    """

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Regular")
        URGENT = "urgent", _("Urgent")
        CRISIS = "crisis", _("Crisis")

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    track = models.ForeignKey(
        "tracks.Track",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_policies",
        verbose_name=_("track"),
        help_text=_("Leave empty for the policy of every track."),
    )
    first_response_business_days = models.PositiveSmallIntegerField(
        _("first response within (business days)"),
        validators=[MaxValueValidator(30)],
        help_text=_(
            "Counted from the business day the request arrives on (after 14:00, "
            "the next one); the deadline is the end of that day."
        ),
    )
    reminder_business_days_before = models.PositiveSmallIntegerField(
        _("reminder (business days before the deadline)"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_(
            "0 sends the reminder on the morning of the deadline day, 1 on the "
            "morning of the business day before, and so on."
        ),
    )

    class Meta:
        ordering = ["track", "urgency"]
        verbose_name = _("response policy")
        verbose_name_plural = _("response policies")
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "track"],
                condition=Q(track__isnull=False),
                name="unique_response_policy_per_track",
                violation_error_message=_(
                    "This track already has a policy for this urgency."
                ),
            ),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=Q(track__isnull=True),
                name="unique_response_policy_general",
                violation_error_message=_(
                    "There is already a policy for this urgency on every track."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()}: {self.track or _('every track')}"


class FollowUp(TimeStampedModel):
    """One scheduled email about a request: a reminder, a nudge, a feedback
    request. Periodic jobs send the due rows; a row is never repeated, so a
    second nudge is sequence 2 (DECISIONS.md, "Email")."""

    class Kind(models.TextChoices):
        RESPONSE_REMINDER = "response_reminder", _("First-response reminder")
        RESPONSE_ESCALATION = "response_escalation", _("First-response escalation")
        WAITING_NUDGE = "waiting_nudge", _("Reminder to the organization")
        WAITING_ADVISOR = "waiting_advisor", _("Organization silent, to the advisor")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback request")
        STEP_DUE = "step_due", _("Plan step due, to its owner")
        STEP_OVERDUE = "step_overdue", _("Overdue organization step, to the advisor")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="followups",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    # The move into "waiting" that started a series of nudges.
    status_change = models.ForeignKey(
        StatusChange,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    # A reminder about a work-plan step names the step and the due date it
    # reminds of: a changed due date is a new reminder, never a repeat.
    plan_step = models.ForeignKey(
        "consultations.PlanStep",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("plan step"),
    )
    step_due_date = models.DateField(_("step due date"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SCHEDULED,
        db_index=True,
    )
    failure_message = models.TextField(_("why it was cancelled or failed"), blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "sequence"],
                condition=Q(plan_step__isnull=True),
                name="unique_followup_per_consultation_kind_sequence",
            ),
            models.UniqueConstraint(
                fields=["plan_step", "kind", "step_due_date"],
                condition=Q(plan_step__isnull=False),
                name="unique_followup_per_step_kind_due_date",
            ),
            models.CheckConstraint(
                condition=Q(plan_step__isnull=True) | Q(step_due_date__isnull=False),
                name="followup_step_has_due_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "scheduled_at"],
                condition=Q(status="scheduled"),
                name="followup_due",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.get_kind_display()} #{self.sequence}"
