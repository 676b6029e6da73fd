"""Settings for the Shatil consultation portal.

Every value that differs between a laptop, CI and production comes from the
environment (see .env.example); the defaults are the safe ones. Every setting
the code reads is declared here, once, and read as plain `settings.X`.

Grouped as cookiecutter-django groups them: general, databases and caches,
URLs, apps, authentication, passwords, middleware, static files, media,
templates, security, email, admin, logging, Celery, third-party apps, and
the project's own settings last.
"""

import ipaddress
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shatil_portal.environment import Env
from shatil_portal.error_reports import init_sentry, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent

# A `.env` file in the project folder (or the file DJANGO_ENV_FILE names) is
# read when present; a variable set in the real environment wins over it.
_ENV_FILE = Path(os.environ.get("DJANGO_ENV_FILE") or BASE_DIR / ".env")
if _ENV_FILE.is_file():
    environ.Env.read_env(_ENV_FILE)

# Refuses a boolean or number it cannot parse (shatil_portal/environment.py).
env = Env()

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Demo mode is `make run`: SQLite, mail to a folder, demo accounts. Never production.
DEMO_MODE = env.bool("DJANGO_DEMO_MODE", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key")
else:
    # Fails at start-up with ImproperlyConfigured when missing.
    SECRET_KEY = env("DJANGO_SECRET_KEY")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Internationalization: Hebrew first, then Arabic and English.
LANGUAGE_CODE = "he"
LANGUAGES = [
    ("he", _("Hebrew")),
    ("ar", _("Arabic")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Arabic dates as written in Israel: day month year, 24 hours.
FORMAT_MODULE_PATH = ["shatil_portal.formats"]
TIME_ZONE = "Asia/Jerusalem"
USE_I18N = True
USE_TZ = True

# DATABASES AND CACHES
# ------------------------------------------------------------------------------
# Database: PostgreSQL in tests and production; `make run` passes a SQLite URL.
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/shatil_portal"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

if env.bool("DJANGO_LOCAL_CACHE", default=False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "shatil_portal.cache.RedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "shatil",
            "TIMEOUT": 300,
        }
    }

# URLS
# ------------------------------------------------------------------------------
ROOT_URLCONF = "shatil_portal.urls"
WSGI_APPLICATION = "shatil_portal.wsgi.application"
ADMIN_URL_PATH = env("DJANGO_ADMIN_URL_PATH", default="admin/")
# Base of every link in an email (no trailing slash).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "csp",
    # Third-party apps under translated names (shatil_portal/third_party_apps.py).
    "shatil_portal.third_party_apps.AxesConfig",
    "django_otp",
    "shatil_portal.third_party_apps.AuthenticatorAppsConfig",
    "shatil_portal.third_party_apps.BackupCodesConfig",
    "django_ratelimit",
    "shatil_portal.third_party_apps.PeriodicTasksConfig",
    "shatil_portal",
    "accounts",
    "tracks",
    "consultations",
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:my_requests"
LOGOUT_REDIRECT_URL = "tracks:home"

# Staff and advisor logins: locked after repeated failures, per username and
# address, and per account from all addresses together (a higher limit, so
# rotating addresses does not buy endless guesses; accounts/lockout.py).
# Staff unlock from the admin (Access attempts) or `axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_HANDLER = "accounts.lockout.AccountLockoutHandler"
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Lockouts count per client behind the balancers (TRUSTED_PROXY_HOPS below).
AXES_CLIENT_IP_CALLABLE = "shatil_portal.client_address.client_address"
AXES_USERNAME_CALLABLE = "shatil_portal.client_address.sign_in_username"
# Two-factor authentication (TOTP) for the staff admin; on in production.
ADMIN_REQUIRE_OTP = env.bool("DJANGO_ADMIN_REQUIRE_OTP", default=not DEBUG)
OTP_TOTP_ISSUER = "Shatil portal"

# PASSWORDS
# ------------------------------------------------------------------------------
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # The visitor's address for gunicorn's access log (shatil_portal/logs.py).
    "shatil_portal.logs.ClientAddressMiddleware",
    # Then the health checks answer whatever the Host header and scheme.
    "shatil_portal.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shatil_portal.middleware.RejectNullCharactersMiddleware",
    "shatil_portal.middleware.RejectInvalidTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a view's Ratelimited with RATELIMIT_VIEW.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

# STATIC
# ------------------------------------------------------------------------------
# Static files: Bootstrap comes from npm (package.json), built from its Sass
# sources into build/bootstrap/ (make install, `npm run build:css`);
# whitenoise serves hashed, compressed copies.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The benchmark (`make bench`) collects static files into a folder of its own
# rather than the shared STATIC_ROOT that the test suite also writes.
if env("DJANGO_STATIC_ROOT", default=""):
    STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The portal's Bootstrap, trimmed to the components it uses and built
    # from Bootstrap's Sass sources by `npm run build:css` (make install;
    # static_src/bootstrap/bootstrap.scss), left to right and right to left.
    ("vendor/bootstrap", BASE_DIR / "build" / "bootstrap"),
]
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# MEDIA
# ------------------------------------------------------------------------------
# No uploads yet: the default storage is Django's, on disk.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "shatil_portal.context_processors.language_links",
            ],
        },
    },
]

# SECURITY
# ------------------------------------------------------------------------------
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Content-Security-Policy: nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "shatil_portal.views.csrf_failure"
# Sessions end after two hours without activity (renewed on every request).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True

# With HTTPS in front (production), switch on the transport hardening.
if env.bool("DJANGO_HTTPS", default=False):
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A balancer's plain-HTTP probe (HealthCheckMiddleware answers it first).
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/web)?$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Asking browsers to preload HSTS is a commitment that is slow to undo
    # (every subdomain on HTTPS, for months): the deployer chooses it.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Behind load balancers: how many trusted proxies append to X-Forwarded-For
# (shatil_portal/client_address.py). Rate limits and sign-in lockouts then
# count per client, not per balancer. A balancer that sets its own header
# instead can be named directly, e.g. RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP.
TRUSTED_PROXY_HOPS = env.int("DJANGO_TRUSTED_PROXY_HOPS", default=0)
# The proxies' own addresses or networks (10.0.0.0/8, 2001:db8::/32): the
# header is believed only on a connection from one of them. Checked here, so
# that a typo fails at start-up rather than at the first request.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from None

# EMAIL
# ------------------------------------------------------------------------------
# Email: every message goes through the outbox and a Celery task.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
# STARTTLS (usually port 587) or TLS from the first byte (port 465): one only.
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set DJANGO_EMAIL_USE_TLS (STARTTLS, port 587) or DJANGO_EMAIL_USE_SSL "
        "(port 465), not both."
    )
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
# OAuth 2.0 for outgoing SMTP (AUTH XOAUTH2, Google Workspace and Microsoft
# 365), with DJANGO_EMAIL_BACKEND=consultations.smtp_oauth2.XOAuth2EmailBackend
# and DJANGO_EMAIL_HOST_USER the sending mailbox: an access token is
# refreshed from this refresh token (docs/DEPLOYMENT.md#smtp-with-oauth-20).
EMAIL_OAUTH2_BACKEND = "consultations.smtp_oauth2.XOAuth2EmailBackend"
EMAIL_OAUTH2_TOKEN_URL = env("EMAIL_OAUTH2_TOKEN_URL", default="")
EMAIL_OAUTH2_CLIENT_ID = env("EMAIL_OAUTH2_CLIENT_ID", default="")
EMAIL_OAUTH2_CLIENT_SECRET = env("EMAIL_OAUTH2_CLIENT_SECRET", default="")
EMAIL_OAUTH2_REFRESH_TOKEN = env("EMAIL_OAUTH2_REFRESH_TOKEN", default="")
EMAIL_OAUTH2_SCOPE = env("EMAIL_OAUTH2_SCOPE", default="")
EMAIL_OAUTH2_CA_FILE = env("EMAIL_OAUTH2_CA_FILE", default="")
if EMAIL_BACKEND == EMAIL_OAUTH2_BACKEND:
    _missing = [
        name
        for name, value in (
            ("DJANGO_EMAIL_HOST_USER", EMAIL_HOST_USER),
            ("EMAIL_OAUTH2_TOKEN_URL", EMAIL_OAUTH2_TOKEN_URL),
            ("EMAIL_OAUTH2_CLIENT_ID", EMAIL_OAUTH2_CLIENT_ID),
            ("EMAIL_OAUTH2_REFRESH_TOKEN", EMAIL_OAUTH2_REFRESH_TOKEN),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            "SMTP with OAuth 2.0 needs " + ", ".join(_missing) + "."
        )
    if not EMAIL_OAUTH2_TOKEN_URL.startswith("https://"):
        raise ImproperlyConfigured("EMAIL_OAUTH2_TOKEN_URL must be an https:// URL.")
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Shatil <policy-center@shatil.org.il>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The right side of each email's Message-ID (and of the request's thread
# id); empty means PORTAL_BASE_URL's host name (consultations/emails.py).
EMAIL_MESSAGE_ID_DOMAIN = env("EMAIL_MESSAGE_ID_DOMAIN", default="")
STAFF_INBOX_EMAIL = env("STAFF_INBOX_EMAIL", default="policy-center@shatil.org.il")

# ADMIN
# ------------------------------------------------------------------------------
# Who receives server errors by email (Django's mail_admins), as
# "Name <email>, email, ..." (shatil_portal/error_reports.py).
ADMINS = parse_admins(env("DJANGO_ADMINS", default=""))

# LOGGING
# ------------------------------------------------------------------------------
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "shatil_portal.privacy.NoFormDataExceptionReporterFilter"
)
# The admins' error email and the debug page without the secret token.
DEFAULT_EXCEPTION_REPORTER = "shatil_portal.privacy.RedactingExceptionReporter"
# Every handler carries the filter: a filter on a logger would miss the
# records its children propagate. Django's own handlers (the development
# server's access log, the admins' error email) are redefined here for that.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "shatil_portal.privacy.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # DisallowedHost is a one-line warning, not an error with a traceback
        # (shatil_portal/logs.py).
        "disallowed_host": {"()": "shatil_portal.logs.DisallowedHostAsWarning"},
    },
    "formatters": {
        # Every line stamped in TIME_ZONE with its offset.
        "timestamped": {
            "format": "{asctime} {levelname} [{name}] {message}",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "style": "{",
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "timestamped",
            "filters": ["personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
        # Errors only: the django logger also carries every 404 warning.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
        "django.security.DisallowedHost": {"filters": ["disallowed_host"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Optional: server errors (web and Celery) to Sentry as well, without
# personal data or secret tokens (shatil_portal/error_reports.py).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
    )

# CELERY
# ------------------------------------------------------------------------------
# Celery: Redis as broker; tasks are enqueued after commit and never block a
# request for long when the broker is down (the outbox sweep catches up).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = BASE_DIR / "var" / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(BASE_DIR / "var" / "celery-processed"),
        "control_folder": str(BASE_DIR / "var" / "celery-control"),
        "store_processed": False,
    }
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup would close the database connection around every
# task, so each task paid for a new PostgreSQL connection (a backend process
# forked, authenticated, torn down): several times the cost of delivering an
# email. Tasks get Django's own lifecycle instead, as requests do
# (shatil_portal/celery.py): a connection is reused until CONN_MAX_AGE, and
# checked first (CONN_HEALTH_CHECKS). The fixup still starts afresh every
# this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Celery's own log lines: the same shape as ours (its timestamps have no offset).
CELERY_WORKER_LOG_FORMAT = "%(asctime)s %(levelname)s [%(processName)s] %(message)s"
CELERY_WORKER_TASK_LOG_FORMAT = (
    "%(asctime)s %(levelname)s [%(processName)s] %(task_name)s[%(task_id)s] %(message)s"
)
# Reminders, escalations, nudges, feedback requests, the weekly digest and
# retention run on Celery beat. The schedule lives in the database
# (django-celery-beat), so staff see and adjust it in the admin; the entries
# below are written there when beat starts.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "consultations.tasks.outbox_sweep_task",
        "schedule": 60.0,
    },
    # Proves to /healthz that beat schedules and a worker runs.
    "heartbeat": {
        "task": "shatil_portal.tasks.heartbeat_task",
        "schedule": 60.0,
    },
    "first-response-followups": {
        "task": "consultations.tasks.first_response_followups_task",
        "schedule": crontab(minute="*/15"),
    },
    "waiting-nudges": {
        "task": "consultations.tasks.waiting_nudges_task",
        "schedule": crontab(minute=5),
    },
    "feedback-requests": {
        "task": "consultations.tasks.feedback_requests_task",
        "schedule": crontab(minute=10),
    },
    "meeting-reminders": {
        "task": "consultations.tasks.meeting_reminders_task",
        "schedule": crontab(minute="*/15"),
    },
    "plan-step-followups": {
        "task": "consultations.tasks.plan_step_followups_task",
        "schedule": crontab(minute=15),
    },
    "weekly-digest": {
        "task": "consultations.tasks.weekly_digest_task",
        "schedule": crontab(day_of_week="sun", hour=8, minute=0),
    },
    "dashboard-daily-counts": {
        "task": "consultations.tasks.daily_counts_rebuild_task",
        "schedule": crontab(minute=20),
    },
    "retention-anonymize": {
        "task": "consultations.tasks.retention_anonymize_task",
        "schedule": crontab(hour=3, minute=30),
    },
}

# THIRD-PARTY APPS
# ------------------------------------------------------------------------------
MODELTRANSLATION_DEFAULT_LANGUAGE = "he"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("he",)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DEFAULT_REGION = "IL"
PHONENUMBER_DB_FORMAT = "E164"

# Rate limits per client address on the public form, the private status
# pages and the lost-link form (django-ratelimit, counted in the default
# cache). Rates are settings so that a benchmark can raise them explicitly.
RATELIMIT_VIEW = "consultations.throttling.rate_limited"
# RATELIMIT_SUBMIT counts only the posts that create a request; posts the
# form refuses (mistakes to correct) have their own, higher limit.
RATELIMIT_SUBMIT = env("RATELIMIT_SUBMIT", default="10/h")
RATELIMIT_SUBMIT_INVALID = env("RATELIMIT_SUBMIT_INVALID", default="30/h")
RATELIMIT_LOOKUP = env("RATELIMIT_LOOKUP", default="30/h")
# The client's address behind the balancers (TRUSTED_PROXY_HOPS above).
RATELIMIT_IP_META_KEY = (
    env("RATELIMIT_IP_META_KEY", default="")
    or "shatil_portal.client_address.client_address"
)
# The library's check knows only django-redis; Django's own RedisCache
# increments atomically too, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# HSTS preload is the deployer's choice (DJANGO_HSTS_PRELOAD), off by
# default: Django's warning that it is off is not a fault here.
SILENCED_SYSTEM_CHECKS.append("security.W021")
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # `make run` is a single process, so a per-process counter is enough.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The dashboard's covering indexes carry non-key columns for
    # PostgreSQL; SQLite (`make run`) builds them on their key alone.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# PROJECT: PAGES AND HEALTH
# ------------------------------------------------------------------------------
# How long each process serves the catalog pages it holds without asking
# Redis whether the catalog changed: a staff edit shows at once in the
# process that saved it, and within this many seconds everywhere else
# (shatil_portal/caching.py). 0 asks every time.
CATALOG_LOCAL_SECONDS = env.float("CATALOG_LOCAL_SECONDS", default=1.0)
# How long the staff dashboard's figures are kept, per user kind, language
# and filters (consultations/dashboard.py); 0 turns the cache off.
DASHBOARD_CACHE_SECONDS = 300
# /healthz answers 503 when the worker's heartbeat is older than this many
# seconds (beat schedules one a minute), or an email has been pending longer.
HEALTH_HEARTBEAT_MAX_AGE = env.int("HEALTH_HEARTBEAT_MAX_AGE", default=300)
HEALTH_OUTBOX_MAX_AGE = env.int("HEALTH_OUTBOX_MAX_AGE", default=900)

# PROJECT: OUTBOX
# ------------------------------------------------------------------------------
# Attempts at delivering an email before the row is failed for good, with a
# growing pause between them (consultations/services/outbox.py).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
# The periodic sweep leaves a pending row this many seconds after its last
# change, so that it does not race the sweep its commit asked for.
OUTBOX_SWEEP_GRACE_SECONDS = 60
# The sweep a commit asks for delivers at most this many batches of 100 rows,
# then asks for another (so one task never holds the worker for long).
OUTBOX_DUE_BATCHES = 10
# Seconds between the commit that asks for a sweep and the sweep, so that the
# commits meanwhile need no message of their own.
OUTBOX_SWEEP_DELAY_SECONDS = 1

# PROJECT: PRIVACY
# ------------------------------------------------------------------------------
# The policy version stored with each consent, and how long closed requests
# keep personal data before they are anonymized.
PRIVACY_POLICY_VERSION = "2026-12"
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
# Business days staff have to answer an organization's request to delete its
# data (the privacy law's 30 days, with room to spare).
DELETION_REQUEST_BUSINESS_DAYS = env.int("DELETION_REQUEST_BUSINESS_DAYS", default=20)
ACCESSIBILITY_COORDINATOR = {
    "name": env("ACCESSIBILITY_COORDINATOR_NAME", default=""),
    "email": env("ACCESSIBILITY_COORDINATOR_EMAIL", default=STAFF_INBOX_EMAIL),
    "phone": env("ACCESSIBILITY_COORDINATOR_PHONE", default=""),
}

# PROJECT: RESPONSE CLOCK AND FOLLOW-UPS
# ------------------------------------------------------------------------------
# Defaults when no response policy is set in the admin.
FIRST_RESPONSE_BUSINESS_DAYS = env.int("FIRST_RESPONSE_BUSINESS_DAYS", default=3)
URGENT_FIRST_RESPONSE_BUSINESS_DAYS = env.int(
    "URGENT_FIRST_RESPONSE_BUSINESS_DAYS", default=1
)
# Follow-up emails go out from this hour (Israel time) on business days.
FOLLOWUP_WORKDAY_START_HOUR = env.int("FOLLOWUP_WORKDAY_START_HOUR", default=9)
# Nudge the organization after this many business days of waiting, again
# after as many more, then tell the advisor.
FOLLOWUP_WAITING_BUSINESS_DAYS = env.int("FOLLOWUP_WAITING_BUSINESS_DAYS", default=5)
# Ask for feedback this many business days after completion; requests
# completed longer ago than the maximum age are never asked.
FOLLOWUP_FEEDBACK_DELAY_BUSINESS_DAYS = env.int(
    "FOLLOWUP_FEEDBACK_DELAY_BUSINESS_DAYS", default=3
)
FOLLOWUP_FEEDBACK_MAX_AGE_DAYS = env.int("FOLLOWUP_FEEDBACK_MAX_AGE_DAYS", default=30)
# An organization's work-plan step still open this many business days after
# it was reminded is flagged to the advisor.
PLAN_STEP_OVERDUE_BUSINESS_DAYS = env.int("PLAN_STEP_OVERDUE_BUSINESS_DAYS", default=3)
# How many rows one run of a job takes; the next run takes the rest.
FOLLOWUP_BATCH_SIZE = env.int("FOLLOWUP_BATCH_SIZE", default=200)

# PROJECT: OPERATIONS
# ------------------------------------------------------------------------------
# `make bench` (scripts/bench/) serves a trivial view through this very
# middleware stack and configuration: the ceiling for a dynamic page on the
# machine. Routed only when switched on; off everywhere else.
BENCHMARK_VIEW_ENABLED = env.bool("DJANGO_BENCHMARK_VIEW", default=False)
# `manage.py backup` (`make backup`) writes its dumps here, mode 600, outside
# the release; `manage.py restore_check` drills the newest one
# (shatil_portal/backups.py, docs/DEPLOYMENT.md).
BACKUP_DIR = Path(
    env(
        "BACKUP_DIR",
        default=str(BASE_DIR / "var" / "backups")
        if DEMO_MODE
        else "/var/backups/shatil-portal",
    )
)
# The drill's scratch database (created and dropped again by the drill).
RESTORE_CHECK_DATABASE = env("RESTORE_CHECK_DATABASE", default="")

# PROJECT: ATTACHMENTS
# ------------------------------------------------------------------------------
# Files sent with a request or a message. Private: stored through the
# "attachments" storage, outside STATIC_ROOT and any public folder, and served
# only by a view that checks who may see the request (docs/SECURITY.md).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
ATTACHMENTS_ROOT = Path(
    env(
        "ATTACHMENTS_ROOT",
        default=str(BASE_DIR / "var" / "attachments")
        if DEMO_MODE or DEBUG
        else "/var/lib/shatil-portal/attachments",
    )
)
# "local" (the folder above) or "s3": any S3-compatible store through
# django-storages, with its own AWS_* settings read from the environment.
ATTACHMENTS_STORAGE = env("ATTACHMENTS_STORAGE", default="local")
if ATTACHMENTS_STORAGE == "s3":
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("ATTACHMENTS_S3_BUCKET"),
            "endpoint_url": env("ATTACHMENTS_S3_ENDPOINT_URL", default=None),
            "region_name": env("ATTACHMENTS_S3_REGION", default=None),
            "access_key": env("ATTACHMENTS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("ATTACHMENTS_S3_PREFIX", default="attachments"),
            # Private objects; never a public or signed URL handed out.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(ATTACHMENTS_ROOT),
            # No public URL: the serving view is the only way to a file.
            "base_url": "/no-public-url/",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# PROJECT: REPLIES BY EMAIL
# ------------------------------------------------------------------------------
# Replies to the portal's emails come back into the request (issue 17,
# consultations/services/inbound.py). Both settings are needed for intake
# to run; until then Reply-To stays the advisor or the staff inbox.
# The domain of the reply addresses, reply+<token>@<domain>: mail to it
# must be delivered to INBOUND_MAILBOX.
INBOUND_REPLY_DOMAIN = env(
    "INBOUND_REPLY_DOMAIN", default="reply.localhost" if DEMO_MODE else ""
)
# Where that mail is read: imaps://host[:993][/folder] (TLS),
# imap://host[:143][/folder] (STARTTLS), or a Maildir folder (a path, or
# maildir:///path). `make run` reads var/mail-inbound/.
INBOUND_MAILBOX = env(
    "INBOUND_MAILBOX",
    default=str(BASE_DIR / "var" / "mail-inbound") if DEMO_MODE else "",
)
INBOUND_IMAP_USER = env("INBOUND_IMAP_USER", default="")
INBOUND_IMAP_PASSWORD = env("INBOUND_IMAP_PASSWORD", default="")
# A CA bundle for a server with a private certificate (else the system's).
INBOUND_IMAP_CA_FILE = env("INBOUND_IMAP_CA_FILE", default="")
# Where processed mail moves (an IMAP folder or a Maildir++ subfolder);
# empty: it stays where it is, marked read.
INBOUND_PROCESSED_FOLDER = env("INBOUND_PROCESSED_FOLDER", default="")
# OAuth 2.0 (XOAUTH2) instead of a password, for Google Workspace and
# Microsoft 365: the provider's token endpoint, the app's registration and
# a refresh token (docs/USER_GUIDE.md, "Connecting a mailbox").
INBOUND_OAUTH2_TOKEN_URL = env("INBOUND_OAUTH2_TOKEN_URL", default="")
INBOUND_OAUTH2_CLIENT_ID = env("INBOUND_OAUTH2_CLIENT_ID", default="")
INBOUND_OAUTH2_CLIENT_SECRET = env("INBOUND_OAUTH2_CLIENT_SECRET", default="")
INBOUND_OAUTH2_REFRESH_TOKEN = env("INBOUND_OAUTH2_REFRESH_TOKEN", default="")
INBOUND_OAUTH2_SCOPE = env("INBOUND_OAUTH2_SCOPE", default="")
# The largest message read whole; a larger one is refused (its headers kept).
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=25 * 1024 * 1024)
# Days that mail on no request (unmatched, automatic replies, bounces) keeps
# its content for staff to act on, before the retention job erases it.
INBOUND_RETENTION_DAYS = env.int("INBOUND_RETENTION_DAYS", default=90)
# How many messages one run of the job takes; the next run takes the rest.
INBOUND_BATCH_SIZE = env.int("INBOUND_BATCH_SIZE", default=100)
# A message whose processing fails this many runs in a row is quarantined for
# staff (the received emails waiting list) and taken off the mailbox.
INBOUND_MAX_ATTEMPTS = env.int("INBOUND_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["inbound-mail"] = {
    "task": "consultations.tasks.inbound_mail_fetch_task",
    "schedule": 60.0,
}
