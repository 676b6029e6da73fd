"""`make backup` and `make restore`: a dump of a seeded database restores into
an empty one with the same rows."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _snapshot(url: str) -> dict:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("select count(*) from tracks_track")
        tracks = cursor.fetchone()[0]
        cursor.execute("select count(*) from django_migrations")
        migrations = cursor.fetchone()[0]
        cursor.execute(
            "select slug, title_he, title_ar, title_en from tracks_track order by slug"
        )
        sample = cursor.fetchall()
    conn.close()
    return {"tracks": tracks, "migrations": migrations, "sample": sample}


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(tmp_path, catalog):
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
