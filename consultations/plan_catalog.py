"""Loads the committed plan templates (seed/plan_templates.json), one per
track, like tracks/catalog.py loads the catalog.

Used by the data migration and by tests whose database is flushed. A track
whose template already exists keeps it: staff may have edited it in the admin.
"""

import json
from pathlib import Path

from tracks.catalog import _translated

PLAN_TEMPLATES_PATH = Path(__file__).resolve().parent / "seed" / "plan_templates.json"


def load_plan_templates(apps) -> None:
    Track = apps.get_model("tracks", "Track")
    PlanTemplate = apps.get_model("consultations", "PlanTemplate")
    PlanTemplateStep = apps.get_model("consultations", "PlanTemplateStep")
    data = json.loads(PLAN_TEMPLATES_PATH.read_text(encoding="utf-8"))
    for item in data["templates"]:
        track = Track.objects.filter(slug=item["track"]).first()
        if track is None:
            continue
        template, created = PlanTemplate.objects.get_or_create(track=track)
        if not created:
            continue
        PlanTemplateStep.objects.bulk_create(
            PlanTemplateStep(
                template=template,
                order=order,
                owner=step["owner"],
                offset_business_days=step["offset_business_days"],
                **_translated("title", step["title"]),
                **_translated("description", step["description"]),
                **_translated("milestone_title", step["milestone"]),
            )
            for order, step in enumerate(item["steps"], start=1)
        )
