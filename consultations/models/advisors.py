"""Advisors: what each covers and how much work they can take."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel
from shatil_portal.people import display_name

from .choices import Language, Region
from .requests import Consultation


# The path the migrations name (the class moved into this module).
@deconstructible(path="consultations.models.ChoiceListValidator")
class ChoiceListValidator:
    """Checks that a JSON list holds only values of a TextChoices, once each.

    Lists in a JSONField rather than a join table keep the advisor ranking to
    one query, and the check works the same on SQLite and PostgreSQL.
    """

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def __call__(self, value) -> None:
        allowed = set(self.choices.values)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item in allowed for item in value
        ):
            raise ValidationError(
                _("Choose only values from the list: %(values)s."),
                code="invalid_choice",
                params={"values": ", ".join(sorted(allowed))},
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("Each value may appear once."), code="duplicate")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and self.choices is other.choices


class AdvisorProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)

    def with_load(self):
        """Each profile's `load`: the advisor's requests still being worked
        on (assigned, in progress or waiting), counted in the same query."""
        return self.annotate(
            load=models.Count(
                "user__assigned_consultations",
                filter=models.Q(
                    user__assigned_consultations__status__in=(
                        Consultation.ACTIVE_STATUSES
                    )
                ),
                distinct=True,
            )
        )


class AdvisorProfile(TimeStampedModel):
    """What an advisor covers and how much work they can take."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="advisor_profile",
        verbose_name=_("user"),
    )
    tracks = models.ManyToManyField(
        "tracks.Track",
        related_name="advisor_profiles",
        verbose_name=_("tracks of expertise"),
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        validators=[ChoiceListValidator(Language)],
    )
    # The language of the portal's emails to the advisor and of their links:
    # "languages spoken" is for matching requests, not a choice of this.
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.HEBREW,
        help_text=_("The language of the emails the portal sends the advisor."),
    )
    regions = models.JSONField(
        _("regions covered"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Region)],
        help_text=_("An advisor who covers “Nationwide” matches every region."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=5,
        help_text=_("How many active requests the advisor can hold at once."),
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    last_assigned_at = models.DateTimeField(
        _("last assigned at"), null=True, blank=True
    )

    objects = AdvisorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "pk"]
        verbose_name = _("advisor profile")
        verbose_name_plural = _("advisor profiles")

    def __str__(self):
        return display_name(self.user)
