"""The staff admin for the catalog, in Hebrew."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.translation import gettext

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


class _FormControls(HTMLParser):
    """Collects the form controls of a page and the ids that have a <label>."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled_ids = [], set()
        self.inside_label = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.inside_label = True
            if attrs.get("for"):
                self.labelled_ids.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
        ):
            if self.inside_label:
                attrs["aria-label"] = "(wrapped in its label)"
            self.controls.append(attrs)

    def handle_endtag(self, tag):
        if tag == "label":
            self.inside_label = False

    def unlabelled(self):
        return [
            control.get("name")
            for control in self.controls
            if not control.get("aria-label")
            and control.get("id") not in self.labelled_ids
            and "__prefix__" not in control.get("name", "")
        ]


def _unlabelled_controls(html):
    parser = _FormControls()
    parser.feed(html)
    return parser.unlabelled()


@pytest.mark.parametrize(
    "url_name",
    ["admin:tracks_track_changelist", "admin:tracks_adjacentarea_changelist"],
)
def test_every_editable_cell_of_the_lists_has_a_name(admin_client, url_name):
    """List rows show labels only as column headers; each input is named too."""
    html = admin_client.get(reverse(url_name)).content.decode()

    assert f'aria-label="{gettext("display order")}, ' in html
    assert _unlabelled_controls(html) == []


def test_every_input_of_the_track_form_and_its_formats_has_a_name(admin_client):
    track = Track.objects.get(slug="local-government")

    html = admin_client.get(
        reverse("admin:tracks_track_change", args=[track.pk])
    ).content.decode()

    assert _unlabelled_controls(html) == []
