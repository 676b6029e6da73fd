"""The data migration that loads the committed catalog (tracks/seed/)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from tracks.models import AdjacentArea, Track, TrackFormat

# The catalog fixture is a no-op on a migrated database; it reloads the same
# texts only when a live-server test of an earlier run flushed the tables.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

LANGUAGES = ("he", "ar", "en")


def test_the_migration_is_applied():
    applied = MigrationRecorder(connection).applied_migrations()

    assert ("tracks", "0002_load_catalog") in applied


def test_the_migration_fills_empty_tables_with_the_historical_models():
    """Run the migration's own function on empty tables, as on a new database."""
    TrackFormat.objects.all().delete()
    Track.objects.all().delete()
    AdjacentArea.objects.all().delete()
    migration = importlib.import_module("tracks.migrations.0002_load_catalog")
    state = MigrationExecutor(connection).loader.project_state(
        ("tracks", "0002_load_catalog")
    )

    migration.load(state.apps, None)

    assert Track.objects.count() == 7
    assert AdjacentArea.objects.count() == 4
    assert TrackFormat.objects.count() == 2


def test_the_migration_can_run_twice_without_duplicating_anything():
    migration = importlib.import_module("tracks.migrations.0002_load_catalog")
    state = MigrationExecutor(connection).loader.project_state(
        ("tracks", "0002_load_catalog")
    )

    migration.load(state.apps, None)

    assert Track.objects.count() == 7
    assert AdjacentArea.objects.count() == 4


def test_seven_active_tracks_and_four_adjacent_areas_are_loaded():
    assert Track.objects.active().count() == 7
    assert AdjacentArea.objects.active().count() == 4


def test_local_government_offers_its_two_formats():
    track = Track.objects.get(slug="local-government")

    assert [f.slug for f in track.formats.all()] == [
        "project-consulting",
        "getting-to-know-local-government",
    ]


@pytest.mark.parametrize("field", ["title", "summary", "description"])
def test_every_track_text_is_written_in_hebrew_arabic_and_english(field):
    for track in Track.objects.all():
        for language in LANGUAGES:
            value = getattr(track, f"{field}_{language}")
            assert value and value.strip(), f"{track.slug}: {field}_{language}"


def test_every_format_and_adjacent_area_has_three_titles_and_descriptions():
    for item in [*TrackFormat.objects.all(), *AdjacentArea.objects.all()]:
        for language in LANGUAGES:
            for field in ("title", "description"):
                value = getattr(item, f"{field}_{language}")
                assert value and value.strip(), f"{item.slug}: {field}_{language}"


def test_the_arabic_and_english_texts_are_translations_not_copies():
    for track in Track.objects.all():
        assert track.title_ar != track.title_he
        assert track.title_en != track.title_he
        assert track.description_ar != track.description_en


def test_only_the_crisis_track_is_time_sensitive():
    assert list(
        Track.objects.filter(is_time_sensitive=True).values_list("slug", flat=True)
    ) == ["crisis"]


def test_the_coalition_track_involves_several_organizations():
    assert list(
        Track.objects.filter(involves_several_organizations=True).values_list(
            "slug", flat=True
        )
    ) == ["coalition"]


def test_the_hebrew_text_carries_the_source_pages_typos_fixed():
    hebrew = "\n".join(
        f"{track.title_he}\n{track.summary_he}\n{track.description_he}"
        for track in Track.objects.all()
    )

    assert "בחשיבותו של השלטון המקומי" in hebrew
    assert "בחשיבותו של השלטון המרכזי" not in hebrew
    assert "מדיניות" in hebrew
    assert "לקידום מדינות" not in hebrew
