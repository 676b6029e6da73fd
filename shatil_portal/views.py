from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import background_checks, broker_is_reachable, database_is_reachable


@never_cache
@require_GET
def healthz(request):
    """Everything the portal needs, for monitoring: 200 when the database and
    broker answer, the worker's heartbeat is fresh and no email has waited
    too long; else 503, with the failing checks named."""
    checks = {
        "database": "ok" if database_is_reachable() else "unreachable",
        "broker": "ok" if broker_is_reachable() else "unreachable",
    }
    background, ages = background_checks()
    return _health_response(checks | background, ages)


@never_cache
@require_GET
def healthz_web(request):
    """What this web server needs to serve pages, for a load balancer: 200
    when the database answers. A dead worker must not take every web server
    out of the balancer; /healthz reports it."""
    return _health_response(
        {"database": "ok" if database_is_reachable() else "unreachable"}, {}
    )


def _health_response(checks: dict[str, str], ages: dict) -> JsonResponse:
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if ages:
        body["ages"] = ages
    return JsonResponse(body, status=200 if healthy else 503)


def bench_trivial(request):
    """The benchmark's ceiling: the least a page can do, through the project's
    whole middleware stack (routed only with BENCHMARK_VIEW_ENABLED)."""
    return HttpResponse(b"ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """Django's refusal of a form without a valid CSRF cookie and token, in the
    portal's look and the page's language (CSRF_FAILURE_VIEW). Django logs the
    reason; the visitor is told what to do."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """Django's server_error with the staff inbox address: like Django's, it
    renders without the request's context (no user, nothing from the
    database), since whatever failed may still be failing."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"staff_inbox_email": settings.STAFF_INBOX_EMAIL})
    )


def _preview_bad_request(request):
    return defaults.bad_request(request, SuspiciousOperation())


def _preview_permission_denied(request):
    return defaults.permission_denied(request, PermissionDenied())


def _preview_page_not_found(request):
    return defaults.page_not_found(request, Http404())


def _preview_rate_limited(request):
    from consultations.throttling import rate_limited

    return rate_limited(request)


# Each page is answered by the handler that answers the real error.
ERROR_PREVIEWS = {
    "400": _preview_bad_request,
    "403": _preview_permission_denied,
    "404": _preview_page_not_found,
    "429": _preview_rate_limited,
    "500": server_error,
    "csrf": csrf_failure,
}


@require_GET
def error_preview(request, code):
    """The portal's own error page for `code`, in the page's language, with
    its real status. Routed only in demo mode (urls.py), where DEBUG would
    otherwise show Django's technical pages instead."""
    # An unknown code gets the portal's 404 too, not DEBUG's technical one.
    preview = ERROR_PREVIEWS.get(code, _preview_page_not_found)
    return preview(request)
