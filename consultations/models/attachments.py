"""Files sent with a request or a message: private, stored under a random
name through the "attachments" storage, served only by the views that check
who may see the request (consultations/views/attachments.py)."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conversation import Message
from .requests import Consultation


def attachments_storage():
    """The private storage (STORAGES["attachments"]): local disk outside any
    public folder by default, or an S3-compatible store."""
    return storages["attachments"]


def attachment_stored_name(instance, filename: str) -> str:
    """A random name: never the sender's, which could carry a path, an
    extension the server acts on, or personal data."""
    return f"{instance.consultation_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    class Sender(models.TextChoices):
        ORGANIZATION = "organization", _("The organization")
        ADVISOR = "advisor", _("The advisor")
        STAFF = "staff", _("Staff")
        INBOUND_MAIL = "mail", _("By email")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("request"),
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    sender = models.CharField(_("sent by"), max_length=12, choices=Sender.choices)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by user"),
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(
        _("file"),
        storage=attachments_storage,
        upload_to=attachment_stored_name,
        max_length=255,
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.consultation_id}: {self.name}"
