"""The organizations that make requests."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .choices import Region


class Organization(TimeStampedModel):
    class Kind(models.TextChoices):
        NONPROFIT = "nonprofit", _("Registered nonprofit (amuta)")
        PUBLIC_BENEFIT_COMPANY = "pbc", _("Public-benefit company")
        GRASSROOTS = "grassroots", _("Grassroots group or initiative")
        COALITION = "coalition", _("Coalition of organizations")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        NONE = "0", _("None")
        ONE_TO_FIVE = "1-5", _("1 to 5")
        SIX_TO_TWENTY = "6-20", _("6 to 20")
        TWENTY_ONE_TO_FIFTY = "21-50", _("21 to 50")
        OVER_FIFTY = "51+", _("More than 50")

    # Indexed for the request list sorted by organization.
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    registration_number = models.CharField(
        _("registration number"), max_length=9, blank=True, default=""
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    staff_size = models.CharField(
        _("paid staff"), max_length=10, choices=Size.choices, blank=True
    )
    volunteer_size = models.CharField(
        _("volunteers"), max_length=10, choices=Size.choices, blank=True
    )
    population_served = models.TextField(_("population served"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="unique_organization_registration_number",
            )
        ]

    def __str__(self):
        return self.name
