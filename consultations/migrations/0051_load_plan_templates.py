from django.db import migrations

from consultations.plan_catalog import load_plan_templates


def load(apps, schema_editor):
    load_plan_templates(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0050_engagement"),
        ("tracks", "0002_load_catalog"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
