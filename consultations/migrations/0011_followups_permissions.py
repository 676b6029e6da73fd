"""Gives the Coordinators group the follow-up models and the beat schedule:
they edit response policies, cancel follow-ups, read feedback, and see
(and pause or reschedule) the periodic jobs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATORS_GROUP = "Coordinators"

PERMISSIONS = {
    "consultations": [
        "view_responsepolicy",
        "add_responsepolicy",
        "change_responsepolicy",
        "view_followup",
        "change_followup",
        "view_feedback",
    ],
    "django_celery_beat": [
        "view_periodictask",
        "change_periodictask",
        "view_crontabschedule",
        "view_intervalschedule",
    ],
}


def grant(apps, schema_editor):
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        # create_permissions skips apps without a models module; the
        # migration state's app configs have none.
        # Restore what was there: with the real registry (tests call this
        # again), None would stop post_migrate from creating this app's
        # permissions after every later flush.
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
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("consultations", "0010_followups"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
