"""Creates the Coordinators and Advisors groups with their permissions, so a
new staff member only needs to be put in a group.

Permissions are created here first: on a fresh database Django would create
them only after the last migration (post_migrate).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATORS_GROUP = "Coordinators"
ADVISORS_GROUP = "Advisors"

COORDINATOR_PERMISSIONS = {
    "consultations": [
        "view_consultation",
        "change_consultation",
        "view_crisis_consultation",
        "view_organization",
        "change_organization",
        "view_coalitionmember",
        "view_statuschange",
        "view_message",
        "add_message",
        "view_internalnote",
        "add_internalnote",
        "view_meeting",
        "view_advisorprofile",
        "add_advisorprofile",
        "change_advisorprofile",
        "view_outboundemail",
        "change_outboundemail",
    ],
    "tracks": [
        "view_track",
        "add_track",
        "change_track",
        "view_trackformat",
        "add_trackformat",
        "change_trackformat",
        "view_adjacentarea",
        "add_adjacentarea",
        "change_adjacentarea",
    ],
}


def create_groups(apps, schema_editor):
    for label in COORDINATOR_PERMISSIONS:
        app_config = apps.get_app_config(label)
        # create_permissions skips apps without a models module; the
        # migration state's app configs have none. (Tests that flush the
        # database call this function again with the real registry.)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    for label, codenames in COORDINATOR_PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=label, codename__in=codenames
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Missing permissions for {label}.")
        coordinators.permissions.add(*permissions)
    # Advisors need no model permission: the workspace shows them the
    # requests assigned to them.
    Group.objects.get_or_create(name=ADVISORS_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracks", "0002_load_catalog"),
        ("consultations", "0002_triage"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
