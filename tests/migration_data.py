"""What the data migrations put in the database, put back after a test that
flushed it (live-server and worker tests empty every table)."""

import importlib

from django.apps import apps

# The migrations that create the staff groups and grant them permissions,
# in order; each function is written to run again with the real registry.
GROUP_MIGRATIONS = [
    ("consultations.migrations.0003_groups", "create_groups"),
    ("consultations.migrations.0011_followups_permissions", "grant"),
    ("consultations.migrations.0020_organization_merge", "grant"),
    ("consultations.migrations.0030_access_log", "grant"),
    ("consultations.migrations.0052_plan_permissions", "grant"),
    ("consultations.migrations.0102_checklist_permissions", "grant"),
    ("consultations.migrations.0108_deletion_request_permissions", "grant"),
    ("consultations.migrations.0110_player_permissions", "grant"),
    ("consultations.migrations.0113_inbound_mail_permissions", "grant"),
]


def restore_staff_groups() -> None:
    """The Coordinators and Advisors groups with their permissions, exactly
    as the migrations leave them."""
    for module, function in GROUP_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
