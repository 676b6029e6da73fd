"""The organization's feedback after a completed consultation."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .choices import Language
from .requests import Consultation


class Feedback(TimeStampedModel):
    """The organization's feedback after a completed consultation: one answer
    per request, reached through an emailed link whose token is stored only
    as its SHA-256."""

    class ReachedGoal(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("request"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HEBREW
    )
    submitted_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 to 5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    reached_goal = models.CharField(
        _("helped reach the goal"),
        max_length=10,
        choices=ReachedGoal.choices,
        blank=True,
    )
    would_recommend = models.BooleanField(_("would recommend"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="feedback_satisfaction_1_to_5",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.satisfaction or '—'}"

    @property
    def is_answered(self) -> bool:
        return self.submitted_at is not None
