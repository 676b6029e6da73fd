"""Read paths for the track catalog, each in a constant number of queries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import AdjacentArea, Track, TrackFormat


def track_list_active() -> QuerySet[Track]:
    return Track.objects.active().order_by("order", "pk")


def track_get_active(*, slug: str) -> Track:
    """One active track with its formats prefetched; 404 when unknown."""
    queryset = Track.objects.active().prefetch_related(
        Prefetch("formats", queryset=TrackFormat.objects.order_by("order", "pk"))
    )
    return get_object_or_404(queryset, slug=slug)


def adjacent_area_list_active() -> QuerySet[AdjacentArea]:
    return AdjacentArea.objects.active().order_by("order", "pk")
