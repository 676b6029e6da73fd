"""Settings for the test suite: the real PostgreSQL and Redis, fast hashing."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789"
)

# The suite never reads a developer's .env.
os.environ.setdefault("DJANGO_ENV_FILE", os.devnull)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests talk to a separate Redis database so they never touch local data.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = REDIS_URL
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "shatil-test"  # noqa: F405
# Tests edit the catalog and read it back from other threads at once; the
# per-process copy has tests of its own (tests/tracks/test_cache.py).
CATALOG_LOCAL_SECONDS = 0
# The dashboard's cache is keyed by user kind, language and filters, not by
# database: a test would otherwise be answered with the figures of an earlier
# test (or run) within five minutes. Its tests turn it on where they test it.
DASHBOARD_CACHE_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_AUTOREFRESH = True
PORTAL_BASE_URL = "http://testserver"
CELERY_RESULT_BACKEND = REDIS_URL
ADMIN_REQUIRE_OTP = False
# A queue of its own per test run, so two runs on one machine never take
# each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"shatil-test-{os.getpid()}"
# Two suites on one machine at once each need their own test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
# Each test run stores its attachments in a folder of its own.
# (A command the suite runs in a subprocess is given its folder.)
if os.environ.get("ATTACHMENTS_ROOT"):
    ATTACHMENTS_ROOT = Path(os.environ["ATTACHMENTS_ROOT"])  # noqa: F405
else:
    ATTACHMENTS_ROOT = Path(tempfile.mkdtemp(prefix="shatil-test-attachments-"))  # noqa: F405
    atexit.register(shutil.rmtree, ATTACHMENTS_ROOT, ignore_errors=True)
STORAGES["attachments"]["OPTIONS"]["location"] = str(ATTACHMENTS_ROOT)  # noqa: F405
