"""Organization merges (services/organizations.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .organizations import Organization
from .requests import Consultation


class OrganizationMerge(TimeStampedModel):
    """History: an organization that turned out to be another one was merged
    into it, by whom and when. The merged organization is deleted, so its
    details are kept here as they were; `consultations` are the requests
    that moved."""

    target = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="merges_received",
        verbose_name=_("merged into"),
    )
    source_pk = models.PositiveBigIntegerField(_("merged organization's number"))
    source_name = models.CharField(_("merged organization"), max_length=200)
    source_registration_number = models.CharField(
        _("merged organization's registration number"), max_length=9, blank=True
    )
    source_details = models.JSONField(
        _("merged organization's details"), default=dict, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    consultations = models.ManyToManyField(
        Consultation,
        blank=True,
        related_name="organization_merges",
        verbose_name=_("requests moved"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organization merge")
        verbose_name_plural = _("organization merges")

    def __str__(self):
        return f"{self.source_name} → {self.target_id}"
