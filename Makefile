# The two commands: `make run` (local demo, no external service) and
# `make test` (the whole suite on the real PostgreSQL, Redis and Chromium).
# Every step is idempotent: a second run only does what is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PY_STAMP := $(VENV)/.installed-$(shell sha1sum requirements/dev.txt | cut -c1-12)
NPM_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
# The portal's Bootstrap, built from Bootstrap's Sass sources (LTR and RTL).
CSS_BUILT := build/bootstrap/bootstrap.min.css build/bootstrap/bootstrap.rtl.min.css
MUTATION_VENV := var/mutation/venv
MUTATION_STAMP := $(MUTATION_VENV)/.installed-$(shell sha1sum requirements/mutation.txt | cut -c1-12)
PURELIB := import sysconfig; print(sysconfig.get_paths()['purelib'])

# `make run` needs nothing but this machine: SQLite, a local cache, a folder as
# the Celery broker (an embedded worker runs tasks and the beat schedule), and
# email written to var/mail/. `make run PORT=8010` serves another port, and the
# emails' links follow it unless PORTAL_BASE_URL is set.
PORT ?= 8000
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := DJANGO_DEBUG=1 DJANGO_DEMO_MODE=1 PORT=$(PORT) \
	PORTAL_BASE_URL=$(PORTAL_BASE_URL) \
	DATABASE_URL=sqlite:///$(CURDIR)/var/demo.sqlite3 \
	DJANGO_LOCAL_CACHE=1 CELERY_BROKER_URL=filesystem:// \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
TEST_ENV := DJANGO_SETTINGS_MODULE=shatil_portal.test_settings DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: install chromium proxies dovecot messages messages-update run test lint audit bench \
	mutation backup demo-backup restore-check restore clean

install: $(PY_STAMP) $(NPM_STAMP) $(CSS_BUILT)

$(PY_STAMP): requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: -r requirements/dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Rebuilt when its Sass entry or the npm packages change (one run writes both).
$(CSS_BUILT) &: static_src/bootstrap/bootstrap.scss $(NPM_STAMP)
	npm run --silent build:css

chromium:
	@dpkg-query -W -f='$${Status}' chromium 2>/dev/null | grep -q "install ok installed" \
		|| (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium)

# Debian's nginx and Caddy, for the tests that serve the portal through the
# examples in deploy/nginx/ and deploy/caddy/ (tests/test_deploy.py).
proxies:
	@for package in nginx-light caddy; do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" \
		|| missing="$$missing $$package"; done; \
		test -z "$$missing" || (apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $$missing)

# Debian's Dovecot, for the tests that read mail from a real IMAP server
# (tests/inbound/ start their own, unprivileged, on a free loopback port,
# and never use the system's service).
dovecot:
	@dpkg-query -W -f='$${Status}' dovecot-imapd 2>/dev/null | grep -q "install ok installed" \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends dovecot-imapd)

messages: install
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# After changing user-facing strings: refresh the catalogs, then translate
# the new Hebrew and Arabic entries (tests fail on any missing or fuzzy one).
messages-update: install
	$(DEMO_ENV) $(PY) manage.py makemessages --locale=he --locale=ar --locale=en \
		--no-location --no-obsolete --ignore=.venv --ignore=node_modules \
		--ignore=staticfiles --ignore=tests --ignore=scripts --ignore=var

run: install messages
	@mkdir -p var/mail var/celery-queue var/celery-processed
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py create_demo_accounts
	$(DEMO_ENV) $(PY) manage.py seed_demo_data
	$(DEMO_ENV) bash scripts/run_demo.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install chromium proxies dovecot messages
	@$(TEST_ENV) $(PY) manage.py check_services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run -v1
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/pytest --create-db $(PYTEST_ARGS)

# Lighthouse's accessibility score on every public page in he, ar and en,
# against a portal started for it on a free port (a fresh SQLite database in
# var/audit/); fails below 100. A few minutes, so not part of `make test`
# (which runs axe-core and the HTML validator). docs/ACCESSIBILITY.md.
audit: install chromium messages
	CHROME_PATH=/usr/bin/chromium $(PY) scripts/audit/run.py

# The portal under load on this machine: seeds a fresh shatil_bench database
# (SCALE requests: 10000, 100000 by default, 1000000), serves it with
# gunicorn, drives it with wrk, writes docs/BENCHMARKS.md (each scale's
# figures side by side, from docs/bench-scales.json) and prints the table
# (scripts/bench/run.py --help).
SCALE ?= 100000
bench: install messages
	$(PY) scripts/bench/run.py --scale $(SCALE) $(BENCH_ARGS)

# Mutation testing, outside `make test` (docs/MUTATION.md): mutmut changes the
# business calendar, the validators, the outbox and the transitions one small
# change at a time and runs each module's own tests against every change.
# MUTATION_MODULES="business_time validators" picks modules (all by default).
mutation: install messages $(MUTATION_STAMP)
	$(TEST_ENV) $(MUTATION_VENV)/bin/python scripts/mutation.py $(MUTATION_MODULES)

# mutmut in a venv of its own that also sees .venv's packages (hashed pins).
$(MUTATION_STAMP): requirements/mutation.txt
	@test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(PY) -c "$(PURELIB)" > "$$($(MUTATION_VENV)/bin/python -c "$(PURELIB)")/shatil-venv.pth"
	$(MUTATION_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps \
		--require-hashes --only-binary :all: -r requirements/mutation.txt
	@rm -f $(MUTATION_VENV)/.installed-* && touch $@

# A dump of the database (DATABASE_URL) into BACKUP_DIR, mode 600, with its
# row counts: PostgreSQL (pg_dump) or SQLite (its backup API). A failed backup
# leaves no file. `demo-backup` dumps the `make run` demo into var/backups/.
backup:
	@$(PY) manage.py backup

demo-backup:
	@$(DEMO_ENV) $(PY) manage.py backup

# The restore drill: the newest dump (or FILE=...) restored into a scratch
# database, every table's rows compared with the dump's, live counts beside.
restore-check:
	@$(PY) manage.py restore_check $(FILE)

# Restore a dump into an empty database, move the page cache on (so that no
# page cached from the old database is served), and the attachments archived
# next to it into ATTACHMENTS_ROOT: make restore FILE=<dump>
restore:
	@test -n "$(FILE)" || (echo "usage: make restore FILE=<dump>" >&2; exit 2)
	@bash scripts/restore.sh "$(FILE)"
	@$(PY) manage.py cache_move_on
	@$(PY) manage.py restore_attachments "$(FILE)"

clean:
	rm -rf $(VENV) node_modules staticfiles var build
