"""A refresh token that the OAuth 2.0 provider rotated (Microsoft may send a
new one with each access token and retire the old), kept for the next run
of the inbound mailbox or of outgoing SMTP (services/oauth_grants.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OAuthGrant(models.Model):
    class Purpose(models.TextChoices):
        INBOUND = "inbound", _("Inbound mailbox")
        SMTP = "smtp", _("Outgoing mail (SMTP)")

    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, unique=True
    )
    # The SHA-256 of the refresh token in the settings that this one
    # replaced: when the settings change (a new consent), this row is stale.
    configured_digest = models.CharField(_("configured token digest"), max_length=64)
    refresh_token = models.TextField(_("refresh token"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("OAuth 2.0 grant")
        verbose_name_plural = _("OAuth 2.0 grants")

    def __str__(self):
        return self.get_purpose_display()
