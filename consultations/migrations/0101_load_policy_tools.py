from django.db import migrations

from consultations.checklist_catalog import load_policy_tools


def load(apps, schema_editor):
    load_policy_tools(apps)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0100_checklist")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
