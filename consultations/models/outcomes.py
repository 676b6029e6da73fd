"""What a completed request achieved (issue 18, "Closing with an outcome").

Completing a request records one outcome: the kind from a short fixed list
and a short note. The completion service (services/transitions.py) writes it
in the same transaction as the status change and its history row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .requests import Consultation

OUTCOME_NOTE_LENGTH = 500


class ConsultationOutcome(models.Model):
    class Kind(models.TextChoices):
        POLICY_ADOPTED = "policy_adopted", _("A policy was adopted")
        DECISION_CHANGED = "decision_changed", _("A decision was changed")
        PLAN_IN_PLACE = "plan_in_place", _("A plan is in place")
        SKILLS_GAINED = "skills_gained", _("Skills were gained")
        NOTHING_YET = "nothing_yet", _("Nothing yet")

    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.CASCADE,
        related_name="outcome",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("outcome"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note on the outcome"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "policy_adopted",
                        "decision_changed",
                        "plan_in_place",
                        "skills_gained",
                        "nothing_yet",
                    ]
                ),
                name="consultation_outcome_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.get_kind_display()}"
