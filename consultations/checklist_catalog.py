"""Loads the committed list of policy tools (seed/policy_tools.json), like
plan_catalog.py loads the plan templates.

Used by the data migration and by tests whose database is flushed. A tool
that already exists keeps its texts: staff may have edited it in the admin.
"""

import json
from pathlib import Path

from tracks.catalog import _translated

POLICY_TOOLS_PATH = Path(__file__).resolve().parent / "seed" / "policy_tools.json"


def load_policy_tools(apps) -> None:
    PolicyTool = apps.get_model("consultations", "PolicyTool")
    data = json.loads(POLICY_TOOLS_PATH.read_text(encoding="utf-8"))
    existing = set(PolicyTool.objects.values_list("slug", flat=True))
    PolicyTool.objects.bulk_create(
        PolicyTool(
            slug=item["slug"],
            order=order,
            suggested_step_owner=item["owner"],
            **_translated("title", item["title"]),
            **_translated("description", item["description"]),
            **_translated("suggested_step_title", item["step"]),
        )
        for order, item in enumerate(data["tools"], start=1)
        if item["slug"] not in existing
    )
