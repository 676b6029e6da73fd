"""Who is asking: the client's address for rate limits (django-ratelimit)
and sign-in lockouts (django-axes), and the username a lockout counts.

Behind a load balancer, REMOTE_ADDR is the balancer's address, so every
visitor would share one counter. Each trusted proxy appends the address it
saw to X-Forwarded-For; entries to the left of those come from the client
and can be forged. With DJANGO_TRUSTED_PROXY_HOPS = n, the n-th entry from
the right is the client. With 0 (the default, no proxy), REMOTE_ADDR is.

The header is believed only when the connection comes from one of
DJANGO_TRUSTED_PROXIES (addresses or networks): a client that reaches the
web server directly could otherwise write any address it likes and never
meet a rate limit. From anyone else, REMOTE_ADDR is the client, and a
warning (once per process) says that the proxy settings do not match.
"""

import functools
import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """DJANGO_TRUSTED_PROXIES as networks (a bare address is a /32 or
    /128). An entry that is not an address fails at start-up (see the
    setting), not here."""
    proxies = settings.TRUSTED_PROXIES
    return _networks(tuple(proxy for proxy in proxies if proxy.strip()))


def _is_trusted_proxy(remote: str) -> bool:
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxy_networks())


@functools.cache
def _warn_untrusted_peer_once() -> None:
    logger.warning(
        "X-Forwarded-For ignored: the connection does not come from one of "
        "DJANGO_TRUSTED_PROXIES, so its own address counts. Set "
        "DJANGO_TRUSTED_PROXIES to the load balancer's addresses, or "
        "DJANGO_TRUSTED_PROXY_HOPS to 0 without one. (Said once per process.)"
    )


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    if not _is_trusted_proxy(remote):
        _warn_untrusted_peer_once()
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
