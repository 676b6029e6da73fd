"""The response time that the policies promise, for the templates of apps
that may not import consultations (the catalog's pages load this library by
name). A page that uses it depends on the policies: cache it under the
RESPONSE_POLICIES namespace too (shatil_portal/caching.py)."""

from django import template

from consultations.selectors.followups import response_promise_business_days

register = template.Library()


@register.simple_tag
def response_promise(track=None) -> dict[str, int]:
    """Business days to the first response by urgency ("normal", "urgent",
    "crisis"), on `track` or on every track."""
    return response_promise_business_days(track=track)
