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
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_rate_limit(*, group: str, rate_setting: str, method=ALL):
    """Refuse a view with Ratelimited (answered by `rate_limited`, through
    RATELIMIT_VIEW) once an address has used up the rate named by
    `rate_setting`, e.g. RATELIMIT_SUBMIT = "10/h"."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                limited = is_ratelimited(
                    request=request,
                    group=group,
                    key="ip",
                    rate=getattr(settings, rate_setting),
                    method=method,
                    increment=True,
                )
            except (RedisError, OSError) as error:
                logger.warning(
                    "Rate limit %s skipped, the cache is unreachable: %s",
                    group,
                    type(error).__name__,
                )
                limited = False
            if limited:
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
