"""Staff insight pages in the workspace: the dashboard, its CSV downloads,
and each organization's history.

Staff only: anonymous visitors are sent to sign in, signed-in users who are
not staff (advisors) get 403. Crisis requests follow the permission, as
everywhere else.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consultations.forms import DashboardFilterForm
from consultations.insight.figures import dashboard_get
from consultations.selectors.dashboard import dashboard_tracks
from consultations.selectors.organizations import (
    organization_get_for_staff,
    organization_history,
)
from consultations.services.access_log import access_log_organization_viewed
from shatil_portal.csv_export import csv_text


def staff_required(view):
    """Like the admin's staff_member_required, but signing in happens on the
    portal's own page and a signed-in non-staff user is refused, not sent
    back to a login form."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _dashboard_for(request):
    tracks = dashboard_tracks(user=request.user)
    form = DashboardFilterForm(request.GET or None, tracks=tracks)
    filters = form.filters()
    return (
        form,
        filters,
        dashboard_get(user=request.user, filters=filters, tracks=tracks),
    )


@staff_required
@require_GET
def dashboard(request):
    form, filters, content = _dashboard_for(request)
    return render(
        request,
        "workspace/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "dashboard": content,
            "query": urlencode(filters.as_query()),
        },
    )


@staff_required
@require_GET
def dashboard_csv(request, slug: str):
    """One table of the dashboard, with the same filters, as CSV through the
    shared writer (formula cells neutralized, a byte-order mark)."""
    _, filters, content = _dashboard_for(request)
    figure = content.figure(slug)
    if figure is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv"'
    )
    response.write(csv_text(figure.table.csv_rows()))
    return response


@staff_required
@require_GET
def organization_detail(request, pk: int):
    organization = organization_get_for_staff(pk=pk)
    if organization is None:
        raise Http404
    history = organization_history(user=request.user, organization=organization)
    # The page lists each request's contact person.
    access_log_organization_viewed(
        user=request.user,
        organization=organization,
        consultations=history.consultations,
    )
    return render(
        request,
        "workspace/organization_detail.html",
        {"organization": organization, "history": history},
    )
