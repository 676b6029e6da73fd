"""`make backup` and `make restore`: a dump of a seeded database restores into
an empty one with the same rows."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.security_support import build_world

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _snapshot(url: str) -> dict:
    """Every table's row count, and a sample of the catalog and the requests."""
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'public' and table_type = 'BASE TABLE'"
        )
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'select count(*) from "{table}"')
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "select slug, title_he, title_ar, title_en from tracks_track order by slug"
        )
        sample = cursor.fetchall()
        cursor.execute(
            "select reference, contact_email, status, status_token_hash, goal"
            " from consultations_consultation order by reference"
        )
        requests = cursor.fetchall()
    conn.close()
    return {
        "tracks": counts["tracks_track"],
        "counts": counts,
        "sample": sample,
        "requests": requests,
    }


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(tmp_path, catalog):
    # Requests with their history, messages, meetings, feedback, outbox and
    # access log, staff with two-factor devices, the beat schedule.
    build_world()
    source = _url(connection.settings_dict["NAME"])
    target_name = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'create database "{target_name}"')
    try:
        backup = subprocess.run(
            ["make", "-s", "backup"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": source},
            capture_output=True,
            text=True,
            check=True,
        )
        dump = backup.stdout.strip().splitlines()[-1]
        assert Path(BASE_DIR / dump).stat().st_size > 0

        subprocess.run(
            ["make", "-s", "restore", f"FILE={dump}"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": _url(target_name)},
            capture_output=True,
            text=True,
            check=True,
        )

        restored = _snapshot(_url(target_name))
        assert restored == _snapshot(source)
        assert restored["tracks"] == 7
        assert restored["counts"]["consultations_consultation"] == 3
        assert restored["counts"]["consultations_accesslogentry"] == 2
        Path(BASE_DIR / dump).unlink()
    finally:
        admin.cursor().execute(f'drop database if exists "{target_name}"')
        admin.close()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    completed = subprocess.run(
        ["bash", "scripts/restore.sh", str(tmp_path / "missing.dump")],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])},
        capture_output=True,
        text=True,
    )

    assert completed.returncode == 1
    assert "already has" in completed.stderr
