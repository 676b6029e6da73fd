"""Backups and restores as a sysadmin runs them: `make backup` writes a private
dump outside the release, a failed backup leaves nothing behind, the demo's
SQLite is backed up too, the restore drill (`make restore-check`) catches a
dump that does not restore what it held, and the restore recipe of
docs/DEPLOYMENT.md works, word for word, for a database owner that is not a
superuser."""

import json
import os
import re
import sqlite3
import stat
import subprocess
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.security_support import build_world

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str, user: str | None = None) -> str:
    db = connection.settings_dict
    return f"postgres://{user or db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _run(command: list[str], **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def _make_backup(directory: Path, database_url: str) -> Path:
    done = _run(
        ["make", "-s", "backup"], DATABASE_URL=database_url, BACKUP_DIR=str(directory)
    )
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


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
    return {"counts": counts, "sample": sample, "requests": requests}


@pytest.fixture
def admin_connection():
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    yield admin
    admin.close()


@pytest.fixture
def scratch_database(admin_connection):
    name = f"restore_check_{uuid.uuid4().hex[:8]}"
    yield name
    admin_connection.cursor().execute(f'drop database if exists "{name}"')


def test_a_backup_is_private_and_kept_outside_the_release(tmp_path, catalog):
    """Mode 600 in a folder of mode 700 named by BACKUP_DIR, with the row
    counts beside it; nothing is written into the project folder."""
    build_world()
    before = set(BASE_DIR.iterdir())

    dump = _make_backup(tmp_path / "backups", _url(connection.settings_dict["NAME"]))

    assert dump.parent == tmp_path / "backups"
    assert dump.name.startswith("shatil-portal-") and dump.suffix == ".dump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(dump.parent.stat().st_mode) == 0o700
    counts_file = Path(f"{dump}.counts.json")
    assert stat.S_IMODE(counts_file.stat().st_mode) == 0o600
    assert json.loads(counts_file.read_text())["consultations_consultation"] == 3
    assert sorted(p.name for p in dump.parent.iterdir()) == [
        dump.name,
        counts_file.name,
    ]
    assert set(BASE_DIR.iterdir()) == before


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(
    tmp_path, catalog, admin_connection, scratch_database
):
    build_world()
    source = _url(connection.settings_dict["NAME"])
    admin_connection.cursor().execute(f'create database "{scratch_database}"')
    dump = _make_backup(tmp_path, source)

    restored = _run(
        ["make", "-s", "restore", f"FILE={dump}"],
        DATABASE_URL=_url(scratch_database),
    )
    assert restored.returncode == 0, restored.stderr

    snapshot = _snapshot(_url(scratch_database))
    assert snapshot == _snapshot(source)
    assert snapshot["counts"]["tracks_track"] == 7
    assert snapshot["counts"]["consultations_consultation"] == 3
    assert snapshot["counts"]["consultations_accesslogentry"] == 2


def test_a_backup_that_cannot_reach_the_database_refuses_and_leaves_no_file(
    tmp_path,
):
    done = _run(
        ["make", "-s", "backup"],
        DATABASE_URL="postgres://postgres@127.0.0.1:1/shatil_portal",
        BACKUP_DIR=str(tmp_path / "backups"),
    )

    assert done.returncode != 0
    assert "Cannot connect to the database shatil_portal at 127.0.0.1:1" in (
        done.stderr
    )
    assert "make demo-backup" in done.stderr
    assert not (tmp_path / "backups").exists()


def _demo_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("create table consultations_consultation (reference text)")
        db.executemany(
            "insert into consultations_consultation values (?)",
            [("SH-2026-0001",), ("SH-2026-0002",)],
        )
        db.execute("create table tracks_track (slug text)")
    db.close()
    return path


def test_the_demo_sqlite_database_is_backed_up_and_restores(tmp_path):
    """`make demo-backup`'s path: a SQLite URL is copied with SQLite's backup
    API, privately, and the copy opens with every row."""
    source = _demo_database(tmp_path / "demo.sqlite3")
    env = {
        "DATABASE_URL": f"sqlite:///{source}",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "DJANGO_DEBUG": "1",
        "DJANGO_LOCAL_CACHE": "1",
    }

    dump = _make_backup(tmp_path / "backups", env["DATABASE_URL"])
    drill = _run(["make", "-s", "restore-check"], **env)

    assert dump.suffix == ".sqlite3"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    with sqlite3.connect(dump) as copy:
        rows = copy.execute(
            "select reference from consultations_consultation order by 1"
        ).fetchall()
    copy.close()
    assert rows == [("SH-2026-0001",), ("SH-2026-0002",)]
    assert drill.returncode == 0, drill.stderr
    assert "Restore drill passed" in drill.stdout


def test_a_demo_backup_that_fails_midway_leaves_no_file(tmp_path):
    """A file that is not a SQLite database fails inside SQLite's backup, after
    the temporary file was opened: it is removed, and no dump appears."""
    broken = tmp_path / "demo.sqlite3"
    broken.write_bytes(b"not a database" * 100)

    done = _run(
        [str(BASE_DIR / ".venv/bin/python"), "manage.py", "backup"],
        DATABASE_URL=f"sqlite:///{broken}",
        BACKUP_DIR=str(tmp_path / "backups"),
        DJANGO_DEBUG="1",
        DJANGO_LOCAL_CACHE="1",
    )

    assert done.returncode != 0
    assert list((tmp_path / "backups").iterdir()) == []


def test_the_demo_backup_without_a_demo_database_says_so(tmp_path):
    done = _run(
        [str(BASE_DIR / ".venv/bin/python"), "manage.py", "backup"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing.sqlite3'}",
        BACKUP_DIR=str(tmp_path / "backups"),
        DJANGO_DEBUG="1",
        DJANGO_LOCAL_CACHE="1",
    )

    assert done.returncode != 0
    assert "No SQLite database at" in done.stderr
    assert not (tmp_path / "backups").exists()


def test_the_restore_drill_passes_on_a_good_dump_and_catches_a_mismatch(
    tmp_path, catalog
):
    """The newest dump is restored into a scratch database (dropped again
    afterwards) and every table's rows are compared with the counts taken in
    the dump's own snapshot; one table off by one fails the drill by name."""
    build_world()
    source = _url(connection.settings_dict["NAME"])
    env = {"DATABASE_URL": source, "BACKUP_DIR": str(tmp_path)}
    _make_backup(tmp_path, source)
    time.sleep(1.1)  # the next dump's name is a second later
    dump = _make_backup(tmp_path, source)

    passed = _run(["make", "-s", "restore-check"], **env)
    assert passed.returncode == 0, passed.stderr
    assert f"Restore drill passed: {dump.name}" in passed.stdout

    counts_file = Path(f"{dump}.counts.json")
    counts = json.loads(counts_file.read_text())
    counts["consultations_consultation"] += 1
    counts_file.write_text(json.dumps(counts))
    failed = _run(["make", "-s", "restore-check"], **env)
    assert failed.returncode != 0
    assert re.search(r"consultations_consultation +4 +3 +3  << MISMATCH", failed.stdout)
    assert "FAILED" in failed.stderr and "consultations_consultation" in failed.stderr

    with psycopg2.connect(_url("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_database where datname = %s",
            [f"{connection.settings_dict['NAME']}_drill"],
        )
        assert cursor.fetchone()[0] == 0
    admin.close()


def test_old_dumps_are_pruned_but_never_the_newest(tmp_path):
    from shatil_portal.backups import prune

    old = tmp_path / "shatil-portal-20260101T000000Z.dump"
    newest = tmp_path / "shatil-portal-20260102T000000Z.dump"
    for path in (old, newest, Path(f"{old}.counts.json")):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 40 * 86400,) * 2)

    prune(directory=tmp_path, keep_days=30)

    assert sorted(p.name for p in tmp_path.iterdir()) == [newest.name]


def _documented_restore() -> str:
    text = (BASE_DIR / "docs" / "DEPLOYMENT.md").read_text()
    block = re.search(
        r"<!-- restore-recipe -->\s*```sh\n(.*?)```", text, flags=re.DOTALL
    )
    assert block, "docs/DEPLOYMENT.md lost its restore recipe"
    return block.group(1)


def _run_recipe(recipe: str, *, role: str, database: str, dump: Path):
    host, port = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    script = (
        recipe.replace("/srv/shatil-portal", str(BASE_DIR))
        .replace("sudo -u postgres ", "")
        .replace("sudo -u shatil ", "")
        .replace("postgres:///", f"postgres://{role}@{host}:{port}/")
        .replace("-O shatil ", f"-O {role} ")
        .replace("shatil_portal_restored", database)
    )
    script = re.sub(r"/var/backups/shatil-portal/\S+\.dump", str(dump), script)
    return _run(
        ["bash", "-euo", "pipefail", "-c", script],
        PGHOST=host,
        PGPORT=str(port),
        PGUSER="postgres",
    )


@pytest.fixture
def app_role(admin_connection):
    """A login role like the production one: no superuser, no CREATEDB."""
    role = f"shatil_app_{uuid.uuid4().hex[:8]}"
    admin_connection.cursor().execute(f'create role "{role}" login')
    yield role
    admin_connection.cursor().execute(f'drop role if exists "{role}"')


def test_the_documented_restore_works_for_a_database_owner_that_is_no_superuser(
    tmp_path, catalog, app_role, scratch_database
):
    """docs/DEPLOYMENT.md's commands, with only the names replaced: the
    database is created owned by the app's role, which then restores the dump,
    pg_trgm included (a trusted extension its owner may create)."""
    build_world()
    dump = _make_backup(tmp_path, _url(connection.settings_dict["NAME"]))

    done = _run_recipe(
        _documented_restore(), role=app_role, database=scratch_database, dump=dump
    )

    assert done.returncode == 0, done.stderr
    with psycopg2.connect(_url(scratch_database, app_role)) as conn:
        with conn.cursor() as cursor:
            cursor.execute("select count(*) from consultations_consultation")
            assert cursor.fetchone()[0] == 3
            cursor.execute("select extname from pg_extension where extname = 'pg_trgm'")
            assert cursor.fetchone() == ("pg_trgm",)
    conn.close()


def test_without_the_owner_the_same_restore_fails_on_pg_trgm(
    tmp_path, catalog, app_role, scratch_database
):
    """Why the recipe says `createdb -O`: a database created by postgres for
    itself refuses the app's role the extension."""
    dump = _make_backup(tmp_path, _url(connection.settings_dict["NAME"]))
    recipe = _documented_restore().replace("-O shatil ", "")

    done = _run_recipe(recipe, role=app_role, database=scratch_database, dump=dump)

    assert done.returncode != 0
    assert 'permission denied to create extension "pg_trgm"' in done.stderr


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    completed = _run(
        ["bash", "scripts/restore.sh", str(tmp_path / "missing.dump")],
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
    )

    assert completed.returncode == 1
    assert "already has" in completed.stderr


def test_attachments_are_backed_up_next_to_the_dump_and_restored(
    tmp_path, catalog, admin_connection, scratch_database, settings
):
    """`make backup` archives the attachments folder (mode 600) beside the
    dump; `make restore` puts the files back where the restored rows point."""
    from consultations.models import Attachment
    from consultations.services.attachments import attachments_add
    from tests.factories import ConsultationFactory

    source_root = settings.ATTACHMENTS_ROOT
    content = b"%PDF-1.7\nround trip\n%%EOF\n"
    (attachment,) = attachments_add(
        consultation=ConsultationFactory(),
        files=[("דוח.pdf", content)],
        sender=Attachment.Sender.ORGANIZATION,
    )
    admin_connection.cursor().execute(f'create database "{scratch_database}"')
    done = _run(
        ["make", "-s", "backup"],
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        BACKUP_DIR=str(tmp_path / "backups"),
        ATTACHMENTS_ROOT=str(source_root),
    )
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip().splitlines()[-1])
    archive = Path(f"{dump}.attachments.tar")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    restored_root = tmp_path / "restored-attachments"
    restored = _run(
        ["make", "-s", "restore", f"FILE={dump}"],
        DATABASE_URL=_url(scratch_database),
        ATTACHMENTS_ROOT=str(restored_root),
    )
    assert restored.returncode == 0, restored.stderr

    with psycopg2.connect(_url(scratch_database)) as conn, conn.cursor() as cursor:
        cursor.execute("select file, name from consultations_attachment")
        rows = cursor.fetchall()
    conn.close()
    assert rows == [(attachment.file.name, "דוח.pdf")]
    assert (restored_root / attachment.file.name).read_bytes() == content
