"""Backups of the portal's database, and the drill that proves they restore.

A dump holds personal data, password hashes and two-factor keys, so it is
written with mode 600 into BACKUP_DIR, outside the release. It is written
under a temporary name and renamed only once complete: a failed backup leaves
no file behind, never an empty or partial one that looks like a backup.

Next to each dump, `<dump>.counts.json` records every table's row count as of
the dump itself (PostgreSQL: counted in the snapshot that pg_dump reads), so
the restore drill compares like with like while the live database moves on.

PostgreSQL dumps are `pg_dump --format=custom`; the demo's SQLite is copied
with SQLite's online backup API.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from django.conf import settings

PREFIX = "shatil-portal-"
SUFFIXES = (".dump", ".sqlite3")
# The attachments folder (local storage) is archived next to each dump.
ATTACHMENTS_SUFFIX = ".attachments.tar"


class BackupError(Exception):
    """A backup or a drill that could not be done; the message says why."""


@dataclass(frozen=True)
class TableCount:
    table: str
    in_dump: int | None
    restored: int | None
    live: int | None


def _database() -> dict:
    return settings.DATABASES["default"]


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"].endswith("sqlite3")


def _pg_connect(db: dict, name: str | None = None):
    try:
        return psycopg2.connect(
            dbname=name or db["NAME"],
            user=db["USER"] or None,
            password=db.get("PASSWORD") or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as error:
        where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        raise BackupError(
            f"Cannot connect to the database {name or db['NAME']} at {where}: "
            f"{str(error).strip()}\n(The demo of `make run` is backed up with "
            "`make demo-backup`.)"
        ) from None


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", db["HOST"]),
        ("PGPORT", db["PORT"]),
        ("PGUSER", db["USER"]),
        ("PGPASSWORD", db.get("PASSWORD")),
    ):
        if value:
            env[key] = str(value)
    return env


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'public' and table_type = 'BASE TABLE'"
        " order by table_name"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'select count(*) from "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = connection.execute(
        "select name from sqlite_master where type = 'table'"
        " and name not like 'sqlite_%' order by name"
    ).fetchall()
    return {
        table: connection.execute(f'select count(*) from "{table}"').fetchone()[0]
        for (table,) in tables
    }


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def _pg_dump(db: dict, partial: Path) -> dict[str, int]:
    """Dump through an exported snapshot, and count the rows in that same
    snapshot, so the counts describe exactly what the dump holds."""
    connection = _pg_connect(db)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("select pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            dumped = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--compress=6",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    db["NAME"],
                ],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
        if dumped.returncode != 0:
            raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
    finally:
        connection.close()
    return counts


def _sqlite_dump(db: dict, partial: Path) -> dict[str, int]:
    source_path = Path(db["NAME"])
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        return _sqlite_counts(target)
    finally:
        target.close()
        source.close()


def backup(*, directory: Path | None = None, keep_days: int | None = None) -> Path:
    """Write a dump of the default database into `directory` (BACKUP_DIR) and
    return its path; with `keep_days`, delete this folder's dumps older than
    that. Refuses, before any file is created, a database it cannot read."""
    db = _database()
    directory = Path(directory or settings.BACKUP_DIR)
    if _is_sqlite(db):
        if not Path(db["NAME"]).is_file():
            raise BackupError(
                f"No SQLite database at {db['NAME']}: nothing to back up "
                "(start the demo once with `make run`)."
            )
        suffix, dump = ".sqlite3", _sqlite_dump
    else:
        if shutil.which("pg_dump") is None:
            raise BackupError(
                "pg_dump is not installed (Debian: apt install postgresql-client)."
            )
        _pg_connect(db).close()
        suffix, dump = ".dump", _pg_dump

    old_umask = os.umask(0o077)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        final = directory / f"{PREFIX}{stamp}{suffix}"
        partial = directory / f".{final.name}.partial"
        counts_file = directory / f"{final.name}.counts.json"
        try:
            partial.touch(mode=0o600, exist_ok=False)
            counts = dump(db, partial)
            if partial.stat().st_size == 0:
                raise BackupError("The dump came out empty.")
            _write_private(counts_file, json.dumps(counts, indent=1, sort_keys=True))
            _archive_attachments(Path(f"{final}{ATTACHMENTS_SUFFIX}"))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            if not final.exists():
                counts_file.unlink(missing_ok=True)
                Path(f"{final}{ATTACHMENTS_SUFFIX}").unlink(missing_ok=True)
            raise
    finally:
        os.umask(old_umask)
    if keep_days is not None:
        prune(directory=directory, keep_days=keep_days)
    return final


def dumps_in(directory: Path) -> list[Path]:
    """The folder's complete dumps, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.name.startswith(PREFIX) and path.suffix in SUFFIXES
    )


def prune(*, directory: Path, keep_days: int) -> list[Path]:
    """Delete dumps (and their counts) older than `keep_days`; the newest dump
    is always kept."""
    limit = time.time() - keep_days * 86400
    removed = []
    for path in dumps_in(directory)[:-1]:
        if path.stat().st_mtime < limit:
            path.unlink()
            Path(f"{path}.counts.json").unlink(missing_ok=True)
            Path(f"{path}{ATTACHMENTS_SUFFIX}").unlink(missing_ok=True)
            removed.append(path)
    return removed


def _expected_counts(dump: Path) -> dict[str, int]:
    counts_file = Path(f"{dump}.counts.json")
    if not counts_file.is_file():
        raise BackupError(f"{counts_file.name} is missing: cannot check {dump.name}.")
    return json.loads(counts_file.read_text())


def _scratch_name(db: dict) -> str:
    name = settings.RESTORE_CHECK_DATABASE or f"{db['NAME']}_drill"
    if name == db["NAME"]:
        raise BackupError("The drill's scratch database must not be the live one.")
    return name


def _pg_restore_counts(db: dict, dump: Path) -> dict[str, int]:
    """Restore into a fresh scratch database, count, and drop it again: the
    drill leaves no second copy of the personal data behind."""
    scratch = _scratch_name(db)
    admin = _pg_connect(db, "postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{scratch}"')
            try:
                cursor.execute(f'create database "{scratch}"')
            except psycopg2.errors.InsufficientPrivilege:
                raise BackupError(
                    f"The role {db['USER']} may not create the scratch database "
                    f"{scratch}. Allow it once: sudo -u postgres psql -c "
                    f"'ALTER ROLE {db['USER']} CREATEDB'"
                ) from None
        try:
            restored = subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={scratch}",
                    str(dump),
                ],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
            if restored.returncode != 0:
                raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
            connection = _pg_connect(db, scratch)
            try:
                with connection.cursor() as cursor:
                    return _pg_counts(cursor)
            finally:
                connection.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'drop database if exists "{scratch}"')
    finally:
        admin.close()


def _sqlite_restore_counts(dump: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / "drill.sqlite3"
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(scratch)
        try:
            source.backup(target)
            (verdict,) = target.execute("pragma integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{dump.name} is damaged: {verdict}")
            return _sqlite_counts(target)
        finally:
            target.close()
            source.close()


def _live_counts(db: dict) -> dict[str, int]:
    if _is_sqlite(db):
        connection = sqlite3.connect(f"file:{db['NAME']}?mode=ro", uri=True)
        try:
            return _sqlite_counts(connection)
        finally:
            connection.close()
    connection = _pg_connect(db)
    try:
        with connection.cursor() as cursor:
            return _pg_counts(cursor)
    finally:
        connection.close()


def restore_check(
    *, dump: Path | None = None, directory: Path | None = None
) -> tuple[Path, list[TableCount]]:
    """Restore a dump (the newest in BACKUP_DIR unless named) into a scratch
    database and count every table's rows. Returns the dump and, per table,
    the count recorded at backup time, the restored count and today's live
    count. The caller fails the drill when the first two differ; live counts
    have moved on since the dump and are shown for comparison."""
    db = _database()
    if dump is None:
        directory = Path(directory or settings.BACKUP_DIR)
        found = dumps_in(directory)
        if not found:
            raise BackupError(f"No dump in {directory}.")
        dump = found[-1]
    expected = _expected_counts(dump)
    if dump.suffix == ".sqlite3":
        restored = _sqlite_restore_counts(dump)
    else:
        restored = _pg_restore_counts(db, dump)
    live = _live_counts(db)
    tables = sorted(set(expected) | set(restored) | set(live))
    return dump, [
        TableCount(table, expected.get(table), restored.get(table), live.get(table))
        for table in tables
    ]


def _attachments_root() -> Path | None:
    """The local attachments folder, or None when files live in an S3
    store (backed up by the store's own versioning, docs/DEPLOYMENT.md)."""
    if settings.STORAGES["attachments"]["BACKEND"].endswith("FileSystemStorage"):
        return Path(settings.ATTACHMENTS_ROOT)
    return None


def _archive_attachments(archive: Path) -> Path | None:
    """Archive the attachments folder (mode 600) next to the dump, written
    under a temporary name; nothing when there is no local folder or it
    holds no file yet."""
    root = _attachments_root()
    if root is None or not root.is_dir() or not any(root.iterdir()):
        return None
    partial = archive.with_name(f".{archive.name}.partial")
    try:
        partial.touch(mode=0o600, exist_ok=False)
        with tarfile.open(partial, "w") as tar:
            tar.add(root, arcname=".")
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def restore_attachments(*, dump: Path, root: Path | None = None) -> int:
    """Put the files archived with `dump` back into the attachments folder
    (ATTACHMENTS_ROOT unless `root`); returns how many. Only regular files
    and folders inside it are extracted (tarfile's "data" filter)."""
    archive = Path(f"{dump}{ATTACHMENTS_SUFFIX}")
    if not archive.is_file():
        return 0
    root = Path(root or _attachments_root() or "")
    if not str(root):
        raise BackupError("Attachments are stored in S3: restore them there.")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(archive) as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        tar.extractall(root, filter="data")
    return len(members)
