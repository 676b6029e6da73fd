"""The refresh token to use for OAuth 2.0 mail (the inbound mailbox, outgoing
SMTP): the one in the settings, or the one the provider rotated it into,
kept in the database so that the next run (or another worker) uses it.
consultations/oauth2.py does the refreshing; this only remembers.

A kept token belongs to the settings' token it replaced (by its digest):
when staff put a new refresh token in the settings (a new consent), the
kept one is ignored and replaced at the next rotation."""

import hashlib

from consultations.models import OAuthGrant

Purpose = OAuthGrant.Purpose


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def oauth_refresh_token(*, purpose: str, configured: str) -> str:
    """The refresh token to use now."""
    if not configured:
        return configured
    kept = (
        OAuthGrant.objects.filter(
            purpose=purpose, configured_digest=_digest(configured)
        )
        .values_list("refresh_token", flat=True)
        .first()
    )
    return kept or configured


def oauth_refresh_token_keep(*, purpose: str, configured: str, current: str) -> bool:
    """Keep the provider's rotated refresh token for the next run, when it
    differs from the one in use. Returns whether it was kept."""
    if not configured or not current:
        return False
    if current == oauth_refresh_token(purpose=purpose, configured=configured):
        return False
    OAuthGrant.objects.update_or_create(
        purpose=purpose,
        defaults={"configured_digest": _digest(configured), "refresh_token": current},
    )
    return True
