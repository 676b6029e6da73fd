"""Rate limits per client address on the public forms and token lookups.

django-ratelimit counts in the default cache (Redis in production); the
rates are settings, so a benchmark or a test can raise them. When the cache
itself is down the limit is skipped and logged: a request for help must not
fail because the counter is unreachable (issue 3, "Nothing is lost").
"""

import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _usage(request, *, group: str, rate_setting: str, increment: bool, method=ALL):
    """django-ratelimit's count for the client's address, or None when the
    limits are off or the cache is unreachable (then nothing is limited)."""
    try:
        return get_usage(
            request=request,
            group=group,
            key="ip",
            rate=getattr(settings, rate_setting),
            method=method,
            increment=increment,
        )
    except (RedisError, OSError) as error:
        logger.warning(
            "Rate limit %s skipped, the cache is unreachable: %s",
            group,
            type(error).__name__,
        )
        return None


def client_rate_count(request, *, group: str, rate_setting: str, method=ALL) -> bool:
    """Count this request against the rate named by `rate_setting` (e.g.
    RATELIMIT_SUBMIT = "10/h"), if its method is one `method` names; True
    when it goes over."""
    usage = _usage(
        request,
        group=group,
        rate_setting=rate_setting,
        increment=True,
        method=method,
    )
    return usage is not None and usage["should_limit"]


def client_rate_used_up(request, *, group: str, rate_setting: str) -> bool:
    """Whether the address has already used up the rate, without counting
    this request: for a limit that counts only what succeeds."""
    usage = _usage(request, group=group, rate_setting=rate_setting, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def client_rate_limit(*, group: str, rate_setting: str, method=ALL):
    """Refuse a view with Ratelimited (answered by `rate_limited`, through
    RATELIMIT_VIEW) once an address has used up the rate named by
    `rate_setting`; `method` names the methods counted."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if client_rate_count(
                request, group=group, rate_setting=rate_setting, method=method
            ):
                raise Ratelimited
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def rate_limited(request, exception=None):
    """The friendly answer to too many attempts, in the page's language."""
    return render(
        request,
        "429.html",
        {"staff_inbox_email": settings.STAFF_INBOX_EMAIL},
        status=429,
    )
