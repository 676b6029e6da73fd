"""The catalog's models: names, ordering, links and constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tracks.models import AdjacentArea, Track, TrackFormat

pytestmark = pytest.mark.django_db


def test_a_track_is_named_by_its_title_in_the_active_language(make_track):
    track = make_track(title_he="ליווי", title_ar="مرافقة", title_en="Support")

    with translation.override("he"):
        assert str(track) == "ליווי"
    with translation.override("ar"):
        assert str(track) == "مرافقة"
    with translation.override("en"):
        assert str(track) == "Support"


def test_formats_and_adjacent_areas_are_named_by_their_titles(catalog):
    track_format = TrackFormat.objects.get(slug="project-consulting")
    area = AdjacentArea.objects.get(slug="media")

    with translation.override("en"):
        assert str(track_format) == track_format.title_en
        assert str(area) == area.title_en


def test_tracks_are_listed_by_display_order_then_by_creation(make_track):
    Track.objects.all().delete()
    second = make_track(order=2)
    first = make_track(order=1)
    also_second = make_track(order=2)

    assert list(Track.objects.all()) == [first, second, also_second]


def test_a_track_links_to_its_page_in_the_active_language(make_track):
    track = make_track(slug="budget-watch")

    with translation.override("he"):
        assert track.get_absolute_url() == "/tracks/budget-watch/"
    with translation.override("ar"):
        assert track.get_absolute_url() == "/ar/tracks/budget-watch/"
    with translation.override("en"):
        assert track.get_absolute_url() == "/en/tracks/budget-watch/"


def _format(track, slug):
    return TrackFormat(
        track=track, slug=slug, title_he="מתכונת", title_ar="صيغة", title_en="Format"
    )


def test_a_format_slug_is_unique_within_its_track(make_track):
    track = make_track()
    _format(track, "workshop").save()

    with pytest.raises(ValidationError):
        _format(track, "workshop").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        _format(track, "workshop").save()


def test_two_tracks_may_offer_formats_with_the_same_slug(make_track):
    _format(make_track(), "workshop").save()
    other = _format(make_track(), "workshop")

    other.full_clean()
    other.save()

    assert TrackFormat.objects.filter(slug="workshop").count() == 2
