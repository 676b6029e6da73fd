import datetime

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string

from shatil_portal.caching import (
    CATALOG,
    RESPONSE_POLICIES,
    cached_fragment,
    whole_page_for_new_visitors,
)

from .selectors import adjacent_area_list_active, track_get_active, track_list_active

# Changed by hand whenever the statement's content is reviewed, as the
# accessibility regulations ask the statement to carry its date.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 29)


# The catalog pages' bodies depend on the catalog, the response policies
# (they promise a response time, through consultations' `response_promise`
# tag) and the language only, so they are rendered without the request (no
# user, no CSRF token can slip in) and cached per language, afresh when the
# catalog or a policy changes (shatil_portal/caching.py).
PAGE_DATA = (CATALOG, RESPONSE_POLICIES)


@whole_page_for_new_visitors(namespace=PAGE_DATA)
def home(request):
    body = cached_fragment(
        "home",
        lambda: render_to_string(
            "tracks/includes/home_body.html", {"tracks": track_list_active()}
        ),
        namespace=PAGE_DATA,
    )
    return render(request, "tracks/home.html", {"body": body})


@whole_page_for_new_visitors(namespace=PAGE_DATA)
def track_detail(request, slug):
    def render_page() -> dict:
        track = track_get_active(slug=slug)
        body = render_to_string(
            "tracks/includes/track_body.html",
            {"track": track, "adjacent_areas": adjacent_area_list_active()},
        )
        return {"title": track.title, "summary": track.summary, "body": body}

    return render(
        request,
        "tracks/track_detail.html",
        {"page": cached_fragment(f"track:{slug}", render_page, namespace=PAGE_DATA)},
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
            "deletion_business_days": settings.DELETION_REQUEST_BUSINESS_DAYS,
            "contact_email": settings.STAFF_INBOX_EMAIL,
        },
    )
