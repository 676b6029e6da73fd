"""Who is asking: the client's address for rate limits (django-ratelimit)
and sign-in lockouts (django-axes), and the username a lockout counts.

Behind a load balancer, REMOTE_ADDR is the balancer's address, so every
visitor would share one counter. Each trusted proxy appends the address it
saw to X-Forwarded-For; entries to the left of those come from the client
and can be forged. With DJANGO_TRUSTED_PROXY_HOPS = n, the n-th entry from
the right is the client. With 0 (the default, no proxy), REMOTE_ADDR is.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        # Not through the expected proxies: only the connection is known.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def sign_in_username(request, credentials=None) -> str:
    """The username django-axes counts failures for and stores.

    What was typed, cut to the user model's 150 characters and without NUL
    characters: django-axes would otherwise try to store a huge or NUL-laden
    guess as it came and fail with a server error (its column holds 255).
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return str(username or "").replace("\x00", "")[:150]
