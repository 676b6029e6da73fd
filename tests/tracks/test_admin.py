"""The staff admin for the catalog, in Hebrew."""

import pytest
from django.urls import reverse

from tracks.models import Track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def test_the_track_changelist_renders_in_hebrew_for_a_superuser(admin_client):
    response = admin_client.get(reverse("admin:tracks_track_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="he" dir="rtl">' in html
    assert "בחירת" in html  # Django's own Hebrew: "Select ... to change".
    for track in Track.objects.all():
        assert track.title_he in html


def test_the_changelist_lets_staff_reorder_and_deactivate_tracks(admin_client):
    html = admin_client.get(reverse("admin:tracks_track_changelist")).content.decode()

    assert 'name="form-0-order"' in html
    assert 'name="form-0-is_active"' in html


def test_the_track_form_edits_each_language_and_the_formats(admin_client):
    track = Track.objects.get(slug="local-government")

    response = admin_client.get(reverse("admin:tracks_track_change", args=[track.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for language in ("he", "ar", "en"):
        for field in ("title", "summary", "description"):
            assert f'name="{field}_{language}"' in html
        assert f'name="formats-0-title_{language}"' in html


def test_staff_reorder_the_tracks_from_the_changelist(admin_client):
    """Saving new display orders on the list changes the public order."""
    tracks = list(Track.objects.all())
    count = len(tracks)
    data = {
        "form-TOTAL_FORMS": str(count),
        "form-INITIAL_FORMS": str(count),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, track in enumerate(tracks):
        data[f"form-{index}-id"] = str(track.pk)
        data[f"form-{index}-order"] = str(count - index)
        data[f"form-{index}-is_active"] = "on"

    response = admin_client.post(reverse("admin:tracks_track_changelist"), data)

    assert response.status_code == 302
    assert list(Track.objects.all()) == tracks[::-1]
