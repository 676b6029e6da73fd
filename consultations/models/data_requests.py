"""The organization's requests about its own data: a request to delete it
(services/data_requests.py), a task for staff with a deadline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shatil_portal.models import TimeStampedModel

from .requests import Consultation


class DeletionRequest(TimeStampedModel):
    """The organization asked, from its status page, that its request's
    personal data be deleted. Staff approve it (the request is anonymized)
    or refuse it with a reason, by `due_at`."""

    class Status(models.TextChoices):
        # In their own context: a deletion request (בקשה) is feminine in
        # Hebrew, a received email's same words are not.
        PENDING = "pending", pgettext_lazy("deletion request", "Waiting for staff")
        APPROVED = "approved", _("Approved: data deleted")
        REFUSED = "refused", pgettext_lazy("deletion request", "Refused")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="deletion_requests",
        verbose_name=_("request"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    refusal_reason = models.TextField(_("why it was refused"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(status="pending"),
                name="one_pending_deletion_request_per_consultation",
                violation_error_message=_(
                    "This request already has a deletion request waiting."
                ),
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.get_status_display()}"
