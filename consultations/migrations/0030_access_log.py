"""The access log: who viewed or exported a request's personal data. The
Coordinators group may read it in the admin (nobody may edit it), and may
unlock a locked-out account by deleting its failed sign-in attempts
(django-axes), as the lockout page tells the user to ask them."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

COORDINATORS_GROUP = "Coordinators"
PERMISSIONS = {
    "consultations": ["view_accesslogentry"],
    "axes": ["view_accessattempt", "delete_accessattempt"],
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
        ("axes", "0010_accessattemptexpiration"),
        ("consultations", "0020_organization_merge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessLogEntry",
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
                    "username",
                    models.CharField(max_length=150, verbose_name="username"),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("admin_view", "Viewed the request page (admin)"),
                            ("workspace_view", "Viewed the request page (workspace)"),
                            ("csv_export", "Exported as CSV"),
                            ("organization_view", "Viewed the organization page"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True, max_length=20, verbose_name="reference"
                    ),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="access_log",
                        to="consultations.consultation",
                        verbose_name="request",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="consultations.organization",
                        verbose_name="organization",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "access log entry",
                "verbose_name_plural": "access log",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["consultation", "-created_at"],
                        name="access_log_request",
                    ),
                    models.Index(fields=["-created_at"], name="access_log_time"),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
