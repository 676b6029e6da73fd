"""The organization's pages reached by its status link, and their limit.

The status-link limit (RATELIMIT_LOOKUP per client address) counts misses
only: an organization working through its status page, plan, map,
checklist and files opens many pages, while guessing links is all misses.
An address that has used up the limit is refused before any lookup, so it
cannot tell a right guess from a wrong one.
"""

from functools import wraps

from django.http import Http404
from django_ratelimit.exceptions import Ratelimited

from consultations.selectors.requester import consultation_get_by_status_token
from consultations.throttling import client_rate_count, client_rate_used_up

LOOKUP_LIMIT = {"group": "status-lookup", "rate_setting": "RATELIMIT_LOOKUP"}


def status_link_limit(view):
    """Refuse an address that has used up the status-link limit, before
    anything is looked up (for a view that answers some visits before
    `status_link` runs, such as one served from the page cache)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if client_rate_used_up(request, **LOOKUP_LIMIT):
            raise Ratelimited
        return view(request, *args, **kwargs)

    return wrapped


def status_link(view):
    """Give `view(request, token, *, consultation, ...)` the request whose
    status link `token` is; an unknown token answers 404 and counts."""

    @wraps(view)
    def wrapped(request, token, **kwargs):
        if client_rate_used_up(request, **LOOKUP_LIMIT):
            raise Ratelimited
        consultation = consultation_get_by_status_token(token=token)
        if consultation is None:
            client_rate_count(request, **LOOKUP_LIMIT)
            raise Http404
        return view(request, token, consultation=consultation, **kwargs)

    return wrapped
