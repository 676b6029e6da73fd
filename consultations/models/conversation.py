"""The conversation on a request: messages with the organization, staff's
internal notes, and meetings."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .requests import Consultation


class Message(models.Model):
    """A message between the organization and the center, shown on both sides."""

    class Direction(models.TextChoices):
        FROM_ORGANIZATION = "in", _("From the organization")
        TO_ORGANIZATION = "out", _("To the organization")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("request"),
    )
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.consultation_id}: {self.get_direction_display()}"


class InternalNote(TimeStampedModel):
    """A note staff and the advisor keep on a request; never shown to the
    organization."""

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="internal_notes",
        verbose_name=_("request"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return f"{self.consultation_id}: {self.body[:40]}"


class Meeting(TimeStampedModel):
    """A meeting with the organization; its calendar invitation keeps one UID
    and counts its versions in `sequence` (RFC 5545)."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("request"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advisor"),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration = models.DurationField(_("duration"), default=timedelta(hours=1))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    location_or_link = models.CharField(_("place or link"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    sequence = models.PositiveIntegerField(_("invitation version"), default=0)
    uid = models.UUIDField(_("calendar UID"), unique=True, default=uuid.uuid4)
    # The version (`sequence`) whose reminder went out, a business day
    # before; a moved meeting has a new version, and so a new reminder.
    reminded_sequence = models.PositiveIntegerField(
        _("reminder sent for version"), null=True, blank=True
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)),
                name="meeting_duration_positive",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + self.duration

    @property
    def ics_uid(self) -> str:
        return f"{self.uid}@shatil-portal"
