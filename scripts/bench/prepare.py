"""Before the run: wrk installed, PostgreSQL and Redis up, the servers'
environment, and a migrated, seeded database (seed.py)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

from common import (
    BENCH_DIR,
    DB_NAME,
    PG_URL,
    PYTHON,
    REDIS_URL,
    VAR,
    log,
    psql,
    run,
)

# Raised for the run only: one client address sends thousands of requests.
BENCH_RATE_LIMIT = "1000000/m"


def ensure_wrk() -> str:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "wrk"], capture_output=True, text=True
    ).stdout
    if "install ok installed" not in status:
        log("installing wrk (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env)
        if installed.returncode != 0:
            run(["apt-get", "update", "-qq"], env=env)
            run(["apt-get", "install", "-y", "-qq", "wrk"], env=env)
    return shutil.which("wrk") or "/usr/bin/wrk"


def check_services() -> None:
    host = urllib.parse.urlparse(PG_URL).hostname or "127.0.0.1"
    if subprocess.run(["pg_isready", "-q", "-h", host]).returncode != 0:
        sys.exit(f"PostgreSQL does not answer on {host}: start it first.")
    redis = urllib.parse.urlparse(REDIS_URL)
    ping = subprocess.run(
        ["redis-cli", "-h", redis.hostname, "-p", str(redis.port or 6379), "ping"],
        capture_output=True,
        text=True,
    )
    if "PONG" not in ping.stdout:
        sys.exit(f"Redis does not answer on {redis.hostname}: start it first.")


def server_env(port: int, secret_key: str, settings_module: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "DJANGO_ADMIN_REQUIRE_OTP": "false",
            "DJANGO_BENCHMARK_VIEW": "true",
            "DJANGO_STATIC_ROOT": str(VAR / "static"),
            "RATELIMIT_SUBMIT": BENCH_RATE_LIMIT,
            "RATELIMIT_SUBMIT_INVALID": BENCH_RATE_LIMIT,
            "RATELIMIT_LOOKUP": BENCH_RATE_LIMIT,
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            # The Celery worker delivers the outbox; nothing leaves the machine.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare_database(env: dict, reuse: bool, requests: int | None = None) -> dict:
    seed_file = VAR / "seed.json"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") == "1"
    seeded = json.loads(seed_file.read_text()) if seed_file.exists() else {}
    seeded_scale = seeded.get("counts", {}).get("consultations.Consultation")
    if reuse and exists and seeded_scale == requests:
        log(f"reusing {DB_NAME} (--reuse-db, {requests:,} requests)")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
        count_days(env)
        return seeded
    if reuse:
        log(f"{DB_NAME} holds another scale ({seeded_scale}): seeding it again")
    log(f"creating {DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    log(f"migrated in {time.monotonic() - started:.0f} s; seeding")
    command = [PYTHON, str(BENCH_DIR / "seed.py"), "--out", str(seed_file)]
    if requests:
        command += ["--requests", str(requests)]
    # A million requests take several minutes to seed.
    run(command, env=env, timeout=max(600, requests // 500))
    count_days(env)
    return json.loads(seed_file.read_text())


def count_days(env: dict) -> None:
    """What the hourly beat job does in production: the dashboard's counts
    of the days before today (services/dashboard_counts.py)."""
    started = time.monotonic()
    run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from consultations.services.dashboard_counts import "
            "daily_counts_rebuild; daily_counts_rebuild()",
        ],
        env=env,
    )
    log(f"dashboard's daily counts in {time.monotonic() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# HTTP
