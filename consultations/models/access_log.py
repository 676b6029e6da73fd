"""The access log (services/access_log.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .organizations import Organization
from .requests import Consultation


class AccessLogEntry(TimeStampedModel):
    """Who looked at or exported a request's personal data, and when: the
    request page in the admin or the workspace, a CSV export, or the
    organization page that lists the request's contact people."""

    class Action(models.TextChoices):
        VIEWED_IN_ADMIN = "admin_view", _("Viewed the request page (admin)")
        VIEWED_IN_WORKSPACE = "workspace_view", _("Viewed the request page (workspace)")
        EXPORTED_CSV = "csv_export", _("Exported as CSV")
        VIEWED_ORGANIZATION = "organization_view", _("Viewed the organization page")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as written, so the log still names a user who was deleted.
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("request"),
    )
    reference = models.CharField(_("reference"), max_length=20, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(
                fields=["consultation", "-created_at"], name="access_log_request"
            ),
            models.Index(fields=["-created_at"], name="access_log_time"),
        ]

    def __str__(self):
        return f"{self.username}: {self.get_action_display()} {self.reference}"
