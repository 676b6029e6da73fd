from django.shortcuts import render

from .selectors import adjacent_area_list_active, track_get_active, track_list_active


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
    return render(request, "tracks/accessibility_statement.html")


def privacy_policy(request):
    return render(request, "tracks/privacy_policy.html")
