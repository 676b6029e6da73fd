"""Gives the Coordinators group the received mail in the admin: they read
it, attach held mail to a request or discard it (issue 17)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATORS_GROUP = "Coordinators"

PERMISSIONS = {
    "consultations": [
        "view_inboundmail",
        "change_inboundmail",
    ],
}


def grant(apps, schema_editor):
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        # As in 0011: create_permissions needs a models module; put back
        # what was there so later flushes still recreate permissions.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    for label, codenames in PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=label, codename__in=codenames
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Missing permissions for {label}.")
        coordinators.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("consultations", "0112_inbound_mail"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
