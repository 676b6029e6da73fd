from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_is_reachable, database_is_reachable


@never_cache
@require_GET
def healthz(request):
    """Report database and broker reachability: 200 when both answer, else 503."""
    checks = {
        "database": "ok" if database_is_reachable() else "unreachable",
        "broker": "ok" if broker_is_reachable() else "unreachable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


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
