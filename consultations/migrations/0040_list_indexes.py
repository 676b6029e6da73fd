"""Indexes for the staff request lists (docs/BENCHMARKS.md, "Indexes needed").

The ordinary indexes are declared on the models. The trigram indexes that
serve the admin's search (icontains, i.e. UPPER(column::text) LIKE ...) need
PostgreSQL's pg_trgm, so they are created here only on PostgreSQL, with raw
SQL, and the models do not declare them: SQLite still migrates and
`makemigrations --check` stays clean.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = [
    ("consultation_reference_trgm", "consultations_consultation", "reference"),
    ("consultation_email_trgm", "consultations_consultation", "contact_email"),
    ("organization_name_trgm", "consultations_organization", "name"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other database objects may use it by then.
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0030_access_log"),
        ("tracks", "0002_load_catalog"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="name",
            field=models.CharField(db_index=True, max_length=200, verbose_name="name"),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                fields=["status", "track"], name="consultation_status_track"
            ),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                condition=models.Q(("urgency", "urgent")),
                fields=["-is_crisis", "first_response_due_at"],
                name="consultation_urgent_triage",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
