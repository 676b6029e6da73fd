"""Outgoing mail over SMTP with OAuth 2.0 (AUTH XOAUTH2) instead of a
password, as Google Workspace and Microsoft 365 ask.

Django's SMTP backend with one change: after EHLO (and STARTTLS), it logs
in with an access token refreshed from the configured refresh token
(consultations/oauth2.py, shared with the inbound mailbox). The token is
kept in the worker until shortly before it expires; when the server refuses
it (revoked early, or the clock was wrong) a new one is fetched and the
login tried once more. Any failure raises from open(), before a message is
handed over, so the outbox treats it like a refused password: the row is
pending again with its backoff, never marked sent (services/outbox.py).

    DJANGO_EMAIL_BACKEND=consultations.smtp_oauth2.XOAuth2EmailBackend
"""

import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend

from consultations.oauth2 import OAuthClient, token_cache, xoauth2_response
from consultations.services.oauth_grants import (
    Purpose,
    oauth_refresh_token,
    oauth_refresh_token_keep,
)


class XOAuth2NotOffered(smtplib.SMTPException):
    """The server does not offer AUTH XOAUTH2."""


def oauth_client_from_settings() -> OAuthClient:
    """The settings' client, with the refresh token the provider last
    rotated it into (services/oauth_grants.py)."""
    return OAuthClient(
        token_url=settings.EMAIL_OAUTH2_TOKEN_URL,
        client_id=settings.EMAIL_OAUTH2_CLIENT_ID,
        client_secret=settings.EMAIL_OAUTH2_CLIENT_SECRET,
        refresh_token=oauth_refresh_token(
            purpose=Purpose.SMTP, configured=settings.EMAIL_OAUTH2_REFRESH_TOKEN
        ),
        scope=settings.EMAIL_OAUTH2_SCOPE,
        ca_file=settings.EMAIL_OAUTH2_CA_FILE,
        timeout=float(settings.EMAIL_TIMEOUT or 30),
    )


class XOAuth2EmailBackend(EmailBackend):
    """SMTP with AUTH XOAUTH2 as EMAIL_HOST_USER; no password is used."""

    def __init__(self, *args, oauth_client: OAuthClient | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the settings' client has its rotated refresh token kept.
        self.keeps_refresh_token = oauth_client is None
        self.oauth_client = oauth_client or oauth_client_from_settings()
        # The parent logs in with a password when it has one; this backend
        # never does.
        self.password = ""

    def open(self) -> bool | None:
        opened = super().open()
        if not opened:
            return opened
        try:
            self._authenticate()
        except Exception:
            connection, self.connection = self.connection, None
            _quit_quietly(connection)
            if not self.fail_silently:
                raise
            return None
        return True

    def _authenticate(self) -> None:
        connection = self.connection
        connection.ehlo_or_helo_if_needed()
        mechanisms = connection.esmtp_features.get("auth", "").upper().split()
        if "XOAUTH2" not in mechanisms:
            raise XOAuth2NotOffered(f"{self.host} does not offer AUTH XOAUTH2")
        try:
            self._auth(token_cache.access_token(self.oauth_client))
        except smtplib.SMTPAuthenticationError:
            # Refused: the token held may have been revoked before its time.
            # One fresh token, one more try; a second refusal is final.
            self._auth(token_cache.access_token(self.oauth_client, force=True))
        if self.keeps_refresh_token:
            oauth_refresh_token_keep(
                purpose=Purpose.SMTP,
                configured=settings.EMAIL_OAUTH2_REFRESH_TOKEN,
                current=token_cache.refresh_token(self.oauth_client),
            )

    def _auth(self, access_token: str) -> None:
        initial = xoauth2_response(user=self.username, access_token=access_token)

        def respond(challenge=None):
            # The first call gives the initial response. A challenge after
            # it carries the server's error (base64 JSON); the empty answer
            # asks for the final refusal (535).
            return initial if challenge is None else ""

        self.connection.auth("XOAUTH2", respond, initial_response_ok=True)


def _quit_quietly(connection) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        try:
            connection.close()
        except OSError:
            pass
