"""Request checks that apply to every page."""

from django.core.exceptions import SuspiciousOperation


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
