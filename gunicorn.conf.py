"""gunicorn's settings for the portal's web process (Procfile: web).

Read from the environment (the systemd unit's EnvironmentFile= or the
shell), or from `.env` in the project folder as the settings read it (the
real environment wins). The access log itself is switched on by the
Procfile's command line, so that `make bench`, which starts gunicorn without
it, measures what it always did.
"""

import os
import time
from pathlib import Path

import environ

_env_file = Path(
    os.environ.get("DJANGO_ENV_FILE") or Path(__file__).resolve().parent / ".env"
)
if _env_file.is_file():
    environ.Env.read_env(_env_file)

# Every log line in one time zone: Django's TIME_ZONE, which Django also sets
# for the workers' and Celery's processes; gunicorn's lines show the offset.
os.environ["TZ"] = "Asia/Jerusalem"
time.tzset()

# Loopback by default: behind nginx on the same host, gunicorn must not be
# reachable directly (a client could then forge X-Forwarded-For). On a
# separate web host behind a balancer, set GUNICORN_BIND to the address the
# balancer reaches (e.g. 10.0.0.5:8000), or a Unix socket (unix:/run/...).
bind = [
    address.strip()
    for address in (
        os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
    ).split(",")
    if address.strip()
]
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
# The visitor's address first (the one rate limits count, put there by
# shatil_portal.logs.ClientAddressMiddleware), then the proxy's as `via`.
access_log_format = (
    '%({shatil.client_address}e)s via %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
    ' "%(f)s" "%(a)s"'
)
