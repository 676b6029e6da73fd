#!/usr/bin/env bash
# Serves the demo portal with an embedded Celery worker (and beat), both
# stopped together on Ctrl-C. Called by `make run` with the demo environment.
set -euo pipefail
cd "$(dirname "$0")/.."
# `make run PORT=8010` serves another port; the emails' links follow it
# unless PORTAL_BASE_URL was set (the Makefile derives it).
port="${PORT:-8000}"
url="http://127.0.0.1:${port}"

# Replies by email: the worker reads this Maildir every minute (an MTA would
# deliver into it); drop a reply there to see it on the request.
mkdir -p var/mail-inbound/new var/mail-inbound/cur var/mail-inbound/tmp

.venv/bin/celery -A shatil_portal worker --beat --pool=solo --loglevel=WARNING \
  --schedule=var/celerybeat-schedule >var/celery.log 2>&1 &
worker_pid=$!
trap 'kill "$worker_pid" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Shatil consultation portal (demo mode): ${url}/
  Staff (admin):    ${url}/admin/   user: coordinator  password: shatil-demo-2026
  Advisor:          ${url}/accounts/login/   user: advisor  password: shatil-demo-2026
  Demo data:        about 60 fictional requests, five advisors and some feedback,
                    seeded into var/demo.sqlite3 on the first run (make clean starts over).
  Error pages:      ${url}/__errors__/404/ (also 400, 403, 429, 500, csrf)
  Emails are written to var/mail/ with links to ${PORTAL_BASE_URL:-$url};
  replies (to reply+<token>@reply.localhost) are read from var/mail-inbound/new/;
  the Celery worker logs to var/celery.log.

MSG
.venv/bin/python manage.py runserver "127.0.0.1:${port}"
