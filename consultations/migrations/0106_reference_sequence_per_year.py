"""References from a PostgreSQL sequence per year instead of a locked counter
row (DECISIONS.md: no lock may serialize submissions; a gap is allowed).

`consultations_reference_next(year)` returns the year's next number from the
sequence `consultations_reference_<year>`, creating it on the year's first
request, to start after the year's `ReferenceSequence` row (so the counters
kept so far carry on). SQLite (`make run`) keeps the counter row.
"""

from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION consultations_reference_next(year integer)
RETURNS bigint AS $$
DECLARE
    name text := 'consultations_reference_' || year;
    start bigint;
BEGIN
    IF to_regclass(name) IS NULL THEN
        -- Only the year's first requests, racing, take turns here, until the
        -- first one's transaction ends and its sequence is seen.
        PERFORM pg_advisory_xact_lock(hashtext(name));
        IF to_regclass(name) IS NULL THEN
            SELECT coalesce(max(last_number), 0) + 1 INTO start
            FROM consultations_referencesequence AS counter
            WHERE counter.year = consultations_reference_next.year;
            BEGIN
                EXECUTE format('CREATE SEQUENCE %I START WITH %s', name, start);
            EXCEPTION WHEN duplicate_table OR unique_violation THEN
                -- Created by the request this one waited for (the check
                -- above may read a catalog cache from before its commit).
                NULL;
            END;
        END IF;
    END IF;
    RETURN nextval(name);
END
$$ LANGUAGE plpgsql;
"""

DROP_FUNCTION = "DROP FUNCTION IF EXISTS consultations_reference_next(integer);"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION, params=None)


def drop_function(apps, schema_editor):
    """Back to the counter rows: each year's row takes its sequence's last
    number, and the sequences go."""
    if schema_editor.connection.vendor != "postgresql":
        return
    ReferenceSequence = apps.get_model("consultations", "ReferenceSequence")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE sequencename LIKE %s",
            [r"consultations\_reference\_%"],
        )
        for name, last_value in cursor.fetchall():
            if last_value is not None:
                ReferenceSequence.objects.update_or_create(
                    year=int(name.rsplit("_", 1)[1]),
                    defaults={"last_number": last_value},
                )
            schema_editor.execute(f'DROP SEQUENCE "{name}"')
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0104_engagement_followthrough"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function, elidable=False),
    ]
