"""Loads the committed catalog (seed/catalog.json) into the track tables.

Used by the data migration and by tests whose database is flushed between
tests (live-server tests), so both load exactly the same texts.
"""

import json
from pathlib import Path

CATALOG_PATH = Path(__file__).resolve().parent / "seed" / "catalog.json"
LANGUAGES = ("he", "ar", "en")


def _translated(field: str, values: dict, *, joiner: str = "\n\n") -> dict:
    """{"he": ..., "ar": ...} -> {"field_he": ..., "field_ar": ..., "field": he}."""
    columns = {}
    for language in LANGUAGES:
        value = values[language]
        if isinstance(value, list):
            value = joiner.join(value)
        columns[f"{field}_{language}"] = value
    columns[field] = columns[f"{field}_he"]
    return columns


def load_catalog(apps) -> None:
    """Create or update the tracks, their formats and the adjacent areas."""
    Track = apps.get_model("tracks", "Track")
    TrackFormat = apps.get_model("tracks", "TrackFormat")
    AdjacentArea = apps.get_model("tracks", "AdjacentArea")
    catalog = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))

    for item in catalog["tracks"]:
        track, _ = Track.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "order": item["order"],
                "is_active": True,
                "is_time_sensitive": item["is_time_sensitive"],
                "involves_several_organizations": item[
                    "involves_several_organizations"
                ],
                **_translated("title", item["title"]),
                **_translated("summary", item["summary"]),
                **_translated("description", item["description"]),
            },
        )
        for format_item in item.get("formats", []):
            TrackFormat.objects.update_or_create(
                track=track,
                slug=format_item["slug"],
                defaults={
                    "order": format_item["order"],
                    **_translated("title", format_item["title"]),
                    **_translated("description", format_item["description"]),
                },
            )

    for item in catalog["adjacent_areas"]:
        AdjacentArea.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "order": item["order"],
                "is_active": True,
                **_translated("title", item["title"]),
                **_translated("description", item["description"]),
            },
        )
