"""Mail received at the portal's mailbox (issue 17): one row per message,
keyed by its Message-ID, whatever became of it. A reply stored on a
request links to the message it became; everything else waits for staff
in the admin's "unmatched mail" list, or was refused."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .attachments import attachments_storage
from .conversation import Message
from .requests import Consultation


def inbound_raw_stored_name(instance, filename: str) -> str:
    """A random name in the private storage, never the sender's."""
    return f"inbound/{secrets.token_hex(16)}.eml"


class InboundMailQuerySet(models.QuerySet):
    def waiting_for_staff(self):
        return self.filter(status__in=InboundMail.WAITING_STATUSES)


class InboundMail(models.Model):
    class Status(models.TextChoices):
        STORED = "stored", _("Stored on a request")
        UNMATCHED = "unmatched", _("Unmatched")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Delivery failure")
        REFUSED = "refused", _("Refused")
        DISCARDED = "discarded", _("Discarded")
        # Processing failed with an unexpected error; tried again next run.
        FAILED = "failed", _("Failed; to be tried again")
        # Failed INBOUND_MAX_ATTEMPTS times: taken off the mailbox, for staff.
        QUARANTINED = "quarantined", _("Quarantined")

    class Reason(models.TextChoices):
        NO_SENDER = "no_sender", _("It has no sender address.")
        NO_ADDRESS = (
            "no_address",
            _("It was sent to no reply address, and its subject names no request."),
        )
        UNKNOWN_ADDRESS = (
            "unknown_address",
            _("Its reply address belongs to no request, or was revoked."),
        )
        UNKNOWN_SENDER = (
            "unknown_sender",
            _(
                "Its subject names a request, but the sender is not one of its "
                "contacts."
            ),
        )
        UNVERIFIED_SENDER = (
            "unverified",
            _(
                "It claims a staff member's address that its mail server could not "
                "verify."
            ),
        )
        NO_TEXT = "no_text", _("It has no text of its own and no files.")
        MACHINE = "machine", _("A machine sent it; it was not answered.")
        TOO_LARGE = "too_large", _("It is larger than the size limit; not read.")
        NOT_ACCEPTED = "not_accepted", _("The request could not take it.")
        FILES_REFUSED = "files_refused", _("Some of its files were refused.")
        FAILED = "failed", _("It could not be processed, after several attempts.")

    # What staff still have to look at: attach it to a request or discard it.
    WAITING_STATUSES = (
        Status.UNMATCHED,
        Status.AUTO_REPLY,
        Status.BOUNCE,
        Status.QUARANTINED,
    )

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_address = models.CharField(_("sender's address"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    recipients = models.CharField(_("sent to"), max_length=1000, blank=True)
    headers = models.TextField(_("headers"), blank=True)
    # The reply as the portal reads it (quoted history cut), for staff to
    # judge unmatched mail by.
    body = models.TextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    raw = models.FileField(
        _("original message"),
        storage=attachments_storage,
        upload_to=inbound_raw_stored_name,
        max_length=255,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, db_index=True
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=Reason.choices, blank=True
    )
    # The sign that decided, or what was refused (file names and why).
    detail = models.CharField(_("details"), max_length=1000, blank=True)
    # Stored on a closed request: staff should look at it.
    needs_attention = models.BooleanField(_("needs attention"), default=False)
    # Runs whose processing of this message failed (statuses failed and
    # quarantined).
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mail",
        verbose_name=_("request"),
    )
    stored_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InboundMailQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status"),
        ]

    def __str__(self):
        return self.subject or self.message_id
