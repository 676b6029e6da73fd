"""gunicorn's settings for the portal's web process (Procfile: web).

Read from the environment (the systemd unit's EnvironmentFile= or the
shell), not from .env: gunicorn reads this file before Django starts.
"""

import os

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
accesslog = "-"
