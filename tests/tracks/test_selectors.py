"""Read paths for the catalog: only active items, in display order."""

import pytest
from django.http import Http404

from tracks.models import AdjacentArea
from tracks.selectors import (
    adjacent_area_list_active,
    track_get_active,
    track_list_active,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def test_the_active_tracks_are_listed_in_display_order(make_track):
    make_track(slug="hidden", order=0, is_active=False)
    first = make_track(slug="first", order=0)

    tracks = list(track_list_active())

    assert tracks[0] == first
    assert "hidden" not in [track.slug for track in tracks]
    assert [track.order for track in tracks] == sorted(t.order for t in tracks)


def test_an_active_track_comes_with_its_formats_in_one_extra_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(2):
        track = track_get_active(slug="local-government")
        formats = list(track.formats.all())

    assert [f.order for f in formats] == sorted(f.order for f in formats)
    assert len(formats) == 2


def test_an_unknown_slug_is_not_found():
    with pytest.raises(Http404):
        track_get_active(slug="no-such-track")


def test_an_inactive_track_is_not_found(make_track):
    make_track(slug="retired", is_active=False)

    with pytest.raises(Http404):
        track_get_active(slug="retired")


def test_only_active_adjacent_areas_are_listed_in_display_order():
    AdjacentArea.objects.filter(slug="protest").update(is_active=False)

    areas = list(adjacent_area_list_active())

    assert [area.slug for area in areas] == [
        "social-media",
        "media",
        "community-management",
    ]
