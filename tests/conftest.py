"""Fixtures shared by the whole suite: the catalog, the Celery worker, the
browser (Debian's Chromium through Playwright), axe-core and a real Dovecot
(tests/inbound/dovecot_support.py)."""

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.inbound import dovecot_support

# Playwright's sync API keeps an event loop in the main thread; Django would
# otherwise refuse ORM calls from live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent
AXE_SOURCE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language (Hebrew), and nothing a
    request or a rendered email activates leaks into the next test."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def rate_limit_counters_of_its_own(settings):
    """Each test counts rate limits from zero. The counters live in the shared
    Redis for an hour; without a prefix of its own, a test would inherit the
    posts of earlier tests (and of earlier runs) from the same address."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def no_sweep_asked_for_by_an_earlier_test():
    """Each test starts with no outbox sweep asked for. A commit's mark
    lasts a minute in the shared Redis when no worker takes its sweep (most
    tests run none); a later test's commit would then rightly publish
    nothing, and its emails would wait for a sweep that never comes."""
    from django.core.cache import cache

    from consultations.services.outbox import _sweep_requested_key

    cache.delete(_sweep_requested_key())


@pytest.fixture
def english():
    """For tests that read a service's English message (the msgid)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With --reuse-db, a previous run's flushes may have emptied the catalog
    (and the plan templates). And each run starts from an empty cache: the
    caches' versions (the dashboard's, the catalog's) live in the test Redis
    without expiry, and a previous run's entries under them would match this
    run's (a dashboard cached with an earlier run's completion, say)."""
    from django.apps import apps
    from django.core.cache import cache

    cache.clear()

    from consultations.plan_catalog import load_plan_templates
    from tracks.catalog import load_catalog
    from tracks.models import Track

    with django_db_blocker.unblock():
        if not Track.objects.exists():
            load_catalog(apps)
        load_plan_templates(apps)


@pytest.fixture
def catalog(db):
    """The track catalog, the plan templates and the checklist's tools,
    reloaded for tests whose database was flushed."""
    from django.apps import apps

    from consultations.checklist_catalog import load_policy_tools
    from consultations.plan_catalog import load_plan_templates
    from tracks.catalog import load_catalog
    from tracks.models import Track

    if not Track.objects.exists():
        load_catalog(apps)
    load_plan_templates(apps)
    load_policy_tools(apps)


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker, in a thread of this process, on the real Redis."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task)
    from celery.contrib.testing.worker import start_worker

    import tests.worker_tasks  # noqa: F401  (tasks that test the worker)
    from shatil_portal.celery import app

    app.control.purge()
    with django_db_blocker.unblock():
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING"
        ) as worker:
            yield worker


@pytest.fixture
def celery_worker(celery_worker_session, transactional_db):
    """Per test: the worker sees only committed data, so the test is transactional."""
    return celery_worker_session


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def axe_source():
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def assert_accessible(axe_source):
    """Run axe-core (WCAG 2.1 A and AA) on the page and fail on any violation.

    The script is injected with evaluate(), which works under the strict CSP.
    """

    def check(page):
        page.evaluate(axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = [
            f"{item['id']}: {item['help']} "
            f"({', '.join(str(node['target']) for node in item['nodes'][:3])})"
            for item in result["violations"]
        ]
        assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)

    return check


@dataclass
class ImapServer:
    """A real Dovecot with its OAuth 2.0 provider (one per test session:
    it starts in about a second)."""

    dovecot: dovecot_support.Dovecot
    oauth: dovecot_support.OAuthServer
    ca_file: str


@pytest.fixture(scope="session")
def imap_server():
    if not Path(dovecot_support.DOVECOT).exists():
        pytest.fail("Dovecot is not installed: run `make dovecot`")
    # A folder of its own, not pytest's basetemp: other pytest sessions on
    # the machine keep only the newest three basetemps and would delete a
    # long session's (the server's configuration and certificate with it).
    base = Path(tempfile.mkdtemp(prefix="shatil-test-imap-"))
    cert, key = dovecot_support.make_certificate(base)
    oauth = dovecot_support.OAuthServer(cert, key).start()
    try:
        server = dovecot_support.Dovecot.start(
            base / "dovecot", cert, key, oauth.introspection_url
        )
    except Exception:
        oauth.stop()
        raise
    yield ImapServer(server, oauth, str(cert))
    server.stop()
    oauth.stop()
    shutil.rmtree(base, ignore_errors=True)
