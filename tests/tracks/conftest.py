"""Helpers for the catalog tests: tracks made on the spot, in three languages."""

import itertools

import pytest

_numbers = itertools.count(1)


@pytest.fixture
def make_track(db):
    """Create a track with Hebrew, Arabic and English texts."""
    from tracks.models import Track

    def make(**overrides):
        number = next(_numbers)
        fields = {
            "slug": f"extra-track-{number}",
            "order": 100 + number,
            "title_he": f"מסלול נוסף {number}",
            "title_ar": f"مسار إضافي {number}",
            "title_en": f"Extra track {number}",
            "summary_he": "תקציר המסלול.",
            "summary_ar": "ملخص المسار.",
            "summary_en": "The track's summary.",
            "description_he": "תיאור המסלול.",
            "description_ar": "وصف المسار.",
            "description_en": "The track's description.",
        }
        fields.update(overrides)
        return Track.objects.create(**fields)

    return make
