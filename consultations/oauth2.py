"""OAuth 2.0 access tokens for mail: the one place that refreshes them.

Google Workspace and Microsoft 365 accept XOAUTH2 instead of a password,
for the inbound mailbox (inbound/sources.py) and for outgoing SMTP
(smtp_oauth2.py). Both hold a long-lived refresh token and trade it for a
short-lived access token here; requests-oauthlib speaks the refresh grant
of RFC 6749 to any token endpoint (Google's, Microsoft's, or the tests').

Imports nothing of the project, so the inbound-mail library may use it.
"""

import threading
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

# A cached access token is refreshed this many seconds before it expires,
# so that it never runs out in the middle of a batch.
EXPIRY_MARGIN_SECONDS = 120
# When the token endpoint does not say how long a token lives.
DEFAULT_LIFETIME_SECONDS = 300


class OAuthRefreshError(Exception):
    """The token endpoint refused the client or the refresh token (or the
    settings lack one of them): retrying will not help until they change."""


class OAuthUnavailable(Exception):
    """The token endpoint could not be reached or answered nonsense: try
    again later."""


class OAuthTokens(NamedTuple):
    access_token: str
    # The refresh token to use next time: a new one when the provider
    # rotates them (Microsoft may), else the one just used.
    refresh_token: str
    # When the access token runs out, in time.monotonic() seconds.
    expires_at: float = 0.0


@dataclass(frozen=True)
class OAuthClient:
    """The app's registration at the provider and the mailbox's grant."""

    token_url: str
    client_id: str
    refresh_token: str = field(repr=False)
    client_secret: str = field(default="", repr=False)
    scope: str = ""
    # A CA bundle for a token endpoint with a private certificate.
    ca_file: str = ""
    timeout: float = 30.0


def refresh_access_token(client: OAuthClient) -> OAuthTokens:
    """A fresh access token, from the refresh token."""
    if not (client.token_url and client.client_id and client.refresh_token):
        raise OAuthRefreshError(
            "OAuth 2.0 needs a token URL, a client id and a refresh token"
        )
    session = OAuth2Session(client_id=client.client_id, scope=client.scope or None)
    try:
        token = session.refresh_token(
            client.token_url,
            refresh_token=client.refresh_token,
            client_id=client.client_id,
            client_secret=client.client_secret,
            timeout=client.timeout,
            verify=client.ca_file or True,
        )
    except OAuth2Error as error:
        raise OAuthRefreshError(f"the token endpoint refused: {error.error}") from None
    except (requests.RequestException, ValueError) as error:
        raise OAuthUnavailable(f"the token endpoint is unreachable: {error}") from None
    access_token = token.get("access_token")
    if not access_token:
        raise OAuthRefreshError("the token endpoint gave no access token")
    try:
        lifetime = float(token.get("expires_in") or DEFAULT_LIFETIME_SECONDS)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME_SECONDS
    return OAuthTokens(
        access_token,
        token.get("refresh_token") or client.refresh_token,
        time.monotonic() + lifetime,
    )


class TokenCache:
    """Access tokens kept in this process until shortly before they expire,
    one per OAuth client, so that a worker does not ask the token endpoint
    for every email. A provider's rotated refresh token is kept too and
    used for the next refresh."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens: dict[OAuthClient, OAuthTokens] = {}

    def access_token(self, client: OAuthClient, *, force: bool = False) -> str:
        """A live access token; a new one when `force` (the server refused
        the one held) or when the one held is about to expire."""
        with self._lock:
            held = self._tokens.get(client)
            if (
                held is not None
                and not force
                and held.expires_at - EXPIRY_MARGIN_SECONDS > time.monotonic()
            ):
                return held.access_token
            current = client
            if held is not None and held.refresh_token != client.refresh_token:
                current = _with_refresh_token(client, held.refresh_token)
            tokens = refresh_access_token(current)
            self._tokens[client] = tokens
            return tokens.access_token

    def refresh_token(self, client: OAuthClient) -> str:
        """The refresh token to use next for this client: the provider's
        rotated one once it sent one, for the caller to keep."""
        with self._lock:
            held = self._tokens.get(client)
        return held.refresh_token if held is not None else client.refresh_token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


def _with_refresh_token(client: OAuthClient, refresh_token: str) -> OAuthClient:
    return OAuthClient(
        token_url=client.token_url,
        client_id=client.client_id,
        refresh_token=refresh_token,
        client_secret=client.client_secret,
        scope=client.scope,
        ca_file=client.ca_file,
        timeout=client.timeout,
    )


token_cache = TokenCache()


def xoauth2_response(*, user: str, access_token: str) -> str:
    """The XOAUTH2 initial client response (before base64), as Google and
    Microsoft define it for IMAP and SMTP."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"
