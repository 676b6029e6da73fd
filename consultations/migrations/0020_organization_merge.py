"""Organization merges: the history row, and the Coordinators group may read
it in the admin."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

COORDINATORS_GROUP = "Coordinators"
PERMISSIONS = ["view_organizationmerge"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consultations")
    # create_permissions skips apps without a models module; the migration
    # state's app configs have none.
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
    permissions = Permission.objects.filter(
        content_type__app_label="consultations", codename__in=PERMISSIONS
    )
    if permissions.count() != len(PERMISSIONS):
        raise RuntimeError("Missing permissions for organization merges.")
    coordinators.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("consultations", "0011_followups_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganizationMerge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="updated at"),
                ),
                (
                    "source_pk",
                    models.PositiveBigIntegerField(
                        verbose_name="merged organization's number"
                    ),
                ),
                (
                    "source_name",
                    models.CharField(
                        max_length=200, verbose_name="merged organization"
                    ),
                ),
                (
                    "source_registration_number",
                    models.CharField(
                        blank=True,
                        max_length=9,
                        verbose_name="merged organization's registration number",
                    ),
                ),
                (
                    "source_details",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        verbose_name="merged organization's details",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "consultations",
                    models.ManyToManyField(
                        blank=True,
                        related_name="organization_merges",
                        to="consultations.consultation",
                        verbose_name="requests moved",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merges_received",
                        to="consultations.organization",
                        verbose_name="merged into",
                    ),
                ),
            ],
            options={
                "verbose_name": "organization merge",
                "verbose_name_plural": "organization merges",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
