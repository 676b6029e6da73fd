import datetime

from django.conf import settings
from django.shortcuts import render

from .selectors import adjacent_area_list_active, track_get_active, track_list_active

# Changed by hand whenever the statement's content is reviewed, as the
# accessibility regulations ask the statement to carry its date.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 29)


def home(request):
    return render(request, "tracks/home.html", {"tracks": track_list_active()})


def track_detail(request, slug):
    return render(
        request,
        "tracks/track_detail.html",
        {
            "track": track_get_active(slug=slug),
            "adjacent_areas": adjacent_area_list_active(),
        },
    )


def accessibility_statement(request):
    return render(
        request,
        "tracks/accessibility_statement.html",
        {
            "coordinator": settings.ACCESSIBILITY_COORDINATOR,
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
        },
    )


def privacy_policy(request):
    return render(
        request,
        "tracks/privacy_policy.html",
        {
            "policy_version": settings.PRIVACY_POLICY_VERSION,
            "retention_months": settings.RETENTION_MONTHS,
            "contact_email": settings.STAFF_INBOX_EMAIL,
        },
    )
