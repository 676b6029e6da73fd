"""Request checks that apply to every page."""

from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render

from . import views


class NullCharacterInQuery(SuspiciousOperation):
    pass


class RejectNullCharactersMiddleware:
    """PostgreSQL cannot hold or compare text containing NUL (0x00): a query
    parameter carrying one reaches a filter (an admin list's, say) and fails
    as a server error. No person types one, so the request is refused as
    bad (400). Forms refuse it on their own, with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise NullCharacterInQuery("NUL character in the query string.")
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answers the health checks first, before the Host header is validated
    and before the HTTPS redirect: a load balancer probes by IP address and
    over plain HTTP, and must get the health, not a 400 or a 301. The answer
    carries nothing of the request, so no other middleware is needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        answer = {"/healthz": views.healthz, "/healthz/web": views.healthz_web}.get(
            request.path_info
        )
        if answer is not None:
            return answer(request)
        return self.get_response(request)


# What Django's decoders put in place of bytes that are not UTF-8.
REPLACEMENT_CHARACTER = "\ufffd"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectInvalidTextMiddleware:
    """A posted form whose bytes are not valid UTF-8 is refused (400, a page
    in the page's language) before any view sees it, on every form of the
    portal and the admin alike.

    Django decodes a form body leniently: each invalid byte becomes U+FFFD,
    and the field would store that damage as if it were text. No browser
    sends such bytes for a UTF-8 page; the character itself is never typed
    either, so finding it in a decoded field means the input was broken.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            if _has_broken_text(request.POST):
                return render(request, "invalid_text.html", status=400)
        return self.get_response(request)


def _has_broken_text(data) -> bool:
    return any(
        REPLACEMENT_CHARACTER in key
        or any(REPLACEMENT_CHARACTER in value for value in values)
        for key, values in data.lists()
    )
