"""Server errors reach someone: the admins by email (ADMINS, from
DJANGO_ADMINS) and, when SENTRY_DSN is set, Sentry.

Sentry gets no personal data (the equivalent of send_default_pii=False, and
stricter: no cookies, no user, no form data, no client address) and no
secret link: the status and feedback tokens are masked in every string of
the event before it leaves.
"""

import re
from email.utils import getaddresses

from django.core.exceptions import ImproperlyConfigured

# The private links' token: the path segment after /request/status/ or
# /feedback/, also percent-encoded (a "next" parameter). shatil_portal's
# privacy module gains one redaction function for every log; until then
# this is the same rule for Sentry.
SLASH = r"(?:/|%2F)"
TOKEN_IN_PATH = re.compile(
    rf"({SLASH}(?:request{SLASH}(?:status|member)|feedback){SLASH})([^/?#&\s\"'<>%]+)",
    re.IGNORECASE,
)
TOKEN_MASK = "[token]"
SAFE_HEADERS = ["accept", "accept-language", "content-type", "content-length"]


def parse_admins(value: str) -> list[tuple[str, str]]:
    """DJANGO_ADMINS: "Dana Levi <dana@example.org>, ops@example.org"."""
    admins = []
    for name, address in getaddresses([value]):
        if "@" not in address:
            raise ImproperlyConfigured(
                f"DJANGO_ADMINS={value!r}: {address or name!r} is not an email "
                "address; use 'Name <email>' or email, separated by commas."
            )
        admins.append((name or address, address))
    return admins


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(rf"\g<1>{TOKEN_MASK}", text)


def _scrubbed(value, tokens: set[str]):
    if isinstance(value, str):
        value = mask_tokens(value)
        for token in tokens:
            value = value.replace(token, TOKEN_MASK)
        return value
    if isinstance(value, dict):
        return {key: _scrubbed(item, tokens) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrubbed(item, tokens) for item in value)
    return value


def before_send(event, hint):
    """Every string of the event (URL, query, headers, messages, frames,
    breadcrumbs) with the secret tokens masked: first where a path shows
    them, then wherever else the same token appears on its own."""
    tokens = set()

    def collect(value):
        if isinstance(value, str):
            # Real tokens are long; a short segment is a page name.
            tokens.update(
                match.group(2)
                for match in TOKEN_IN_PATH.finditer(value)
                if len(match.group(2)) >= 16
            )
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    collect(event)
    return _scrubbed(event, tokens)


def init_sentry(*, dsn: str, environment: str, release: str | None) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        # No personal data: no user, cookies, bodies (what a visitor typed),
        # query values, client address headers or frame variables. This is
        # what send_default_pii=False meant, and stricter (it kept bodies).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": SAFE_HEADERS}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
        },
        before_send=before_send,
        before_send_transaction=before_send,
        # Errors only: no performance tracing, no profiling.
        traces_sample_rate=0,
    )
