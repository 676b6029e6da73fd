from django.db import migrations

from tracks.catalog import load_catalog


def load(apps, schema_editor):
    load_catalog(apps)


class Migration(migrations.Migration):
    dependencies = [("tracks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
