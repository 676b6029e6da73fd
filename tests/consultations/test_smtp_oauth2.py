"""Outgoing mail with OAuth 2.0: the outbox delivers through a real SMTP
server on loopback that accepts only AUTH XOAUTH2 with a live bearer token,
checked against the tests' own identity provider (the token endpoint that
the inbound mailbox's tests use). The token is refreshed from the refresh
token, kept until shortly before it expires, and fetched again once when
the server refuses it; a refusal that stays leaves the row pending for its
retry, exactly as a refused password does (services/outbox.py)."""

import pytest

from consultations.models import OAuthGrant
from consultations.oauth2 import token_cache
from consultations.services.outbox import (
    OutboxDeliveryError,
    outbound_email_deliver,
    outbound_emails_deliver,
)
from tests.factories import OutboundEmailFactory
from tests.inbound import dovecot_support as provider
from tests.smtp_support import XOAuth2SMTPServer

pytestmark = pytest.mark.django_db

BACKEND = "consultations.smtp_oauth2.XOAuth2EmailBackend"


@pytest.fixture
def oauth(tmp_path):
    cert, key = provider.make_certificate(tmp_path)
    server = provider.OAuthServer(cert, key).start()
    token_cache.clear()
    yield server
    token_cache.clear()
    server.stop()


@pytest.fixture
def smtp(oauth, settings):
    server = XOAuth2SMTPServer(introspection_url=oauth.introspection_url)
    settings.EMAIL_BACKEND = BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = provider.OAUTH_USER
    settings.EMAIL_HOST_PASSWORD = "never-used"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_OAUTH2_TOKEN_URL = oauth.token_url
    settings.EMAIL_OAUTH2_CLIENT_ID = provider.CLIENT_ID
    settings.EMAIL_OAUTH2_CLIENT_SECRET = provider.CLIENT_SECRET
    settings.EMAIL_OAUTH2_REFRESH_TOKEN = oauth.refresh_token
    settings.EMAIL_OAUTH2_SCOPE = "https://mail.google.com/"
    settings.EMAIL_OAUTH2_CA_FILE = str(oauth.cert)
    yield server
    server.stop()


def test_the_outbox_sends_through_xoauth2_and_keeps_the_token(smtp, oauth):
    """Two deliveries, two connections, one token: the second login reuses
    the access token the first one fetched."""
    first, second = OutboundEmailFactory(), OutboundEmailFactory()

    assert outbound_email_deliver(email_id=first.pk)
    assert outbound_email_deliver(email_id=second.pk)

    assert len(smtp.messages) == 2
    assert smtp.logins == [(provider.OAUTH_USER, True)] * 2
    assert oauth.refreshes == 1
    first.refresh_from_db()
    assert first.status == "sent"


def test_a_rotated_refresh_token_is_kept_for_the_next_worker(smtp, oauth):
    """Microsoft may answer a refresh with a new refresh token and retire
    the old one: the new one is kept in the database, and a worker started
    afterwards (nothing in its memory) logs in with it."""
    oauth.rotate = oauth.retire_rotated = True
    first, second = OutboundEmailFactory(), OutboundEmailFactory()

    assert outbound_email_deliver(email_id=first.pk)
    kept = OAuthGrant.objects.get(purpose="smtp").refresh_token
    assert kept in oauth.rotated
    assert oauth.refresh_token in oauth.retired
    token_cache.clear()  # another worker, or this one restarted
    assert outbound_email_deliver(email_id=second.pk)

    assert len(smtp.messages) == 2
    assert oauth.refreshes == 2
    assert OAuthGrant.objects.get(purpose="smtp").refresh_token not in (
        kept,
        oauth.refresh_token,
    )


def test_a_token_near_its_expiry_is_refreshed_before_the_next_login(smtp, oauth):
    """A token that lives one minute is too close to its end to be reused."""
    oauth.expires_in = 60
    rows = [OutboundEmailFactory(), OutboundEmailFactory()]

    for row in rows:
        assert outbound_email_deliver(email_id=row.pk)

    assert oauth.refreshes == 2
    assert len(smtp.messages) == 2


def test_a_revoked_token_is_refreshed_once_and_the_email_goes_out(smtp, oauth):
    """The provider revokes the token held; the server refuses it, a new
    token is fetched and the same connection logs in with it."""
    assert outbound_email_deliver(email_id=OutboundEmailFactory().pk)
    oauth.access_tokens.clear()
    row = OutboundEmailFactory()

    assert outbound_email_deliver(email_id=row.pk)

    assert smtp.logins == [
        (provider.OAUTH_USER, True),
        (provider.OAUTH_USER, False),
        (provider.OAUTH_USER, True),
    ]
    assert oauth.refreshes == 2
    row.refresh_from_db()
    assert row.status == "sent"


def test_a_refused_refresh_token_leaves_the_row_pending_for_its_retry(
    smtp, oauth, settings
):
    """The token endpoint refuses the refresh token: nothing reaches the
    mail server, and the row is pending again after its first attempt,
    with the reason for staff to read."""
    settings.EMAIL_OAUTH2_REFRESH_TOKEN = "revoked-refresh-token"
    row = OutboundEmailFactory()

    with pytest.raises(OutboxDeliveryError):
        outbound_email_deliver(email_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "invalid_grant" in row.last_error
    assert smtp.logins == []
    assert smtp.messages == []


def test_a_token_the_server_refuses_twice_leaves_the_rows_pending(
    smtp, oauth, settings
):
    """The server refuses the fresh token too (the mailbox is not the
    token's): one retry with a new token, then the batch's rows are pending
    again, none marked sent."""
    settings.EMAIL_HOST_USER = "someone-else@example.org"
    rows = [OutboundEmailFactory(), OutboundEmailFactory()]

    with pytest.raises(OutboxDeliveryError) as failure:
        outbound_emails_deliver(email_ids=[row.pk for row in rows])

    assert failure.value.sent == 0
    assert smtp.messages == []
    # Each row's attempt opened the connection anew: two logins per row.
    assert [accepted for _user, accepted in smtp.logins] == [False] * 4
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
        assert "SMTPAuthenticationError" in row.last_error


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DJANGO_EMAIL_HOST_USER": "portal@example.org"}, "EMAIL_OAUTH2_TOKEN_URL"),
        (
            {
                "DJANGO_EMAIL_HOST_USER": "portal@example.org",
                "EMAIL_OAUTH2_TOKEN_URL": "http://token.example.org/token",
                "EMAIL_OAUTH2_CLIENT_ID": "client",
                "EMAIL_OAUTH2_REFRESH_TOKEN": "refresh",
            },
            "https://",
        ),
    ],
)
def test_start_up_stops_when_the_oauth_backend_lacks_a_setting(environment, named):
    """Chosen without its token endpoint, or with one over plain HTTP, the
    OAuth backend stops start-up naming what is wrong, rather than failing
    each email later."""
    import os
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_DEBUG": "true",
            "DJANGO_EMAIL_BACKEND": BACKEND,
            **environment,
        },
        capture_output=True,
        text=True,
    )

    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert named in completed.stderr
