"""Request checks that apply to every page."""

from django.core.exceptions import SuspiciousOperation

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
