"""Hardening every response carries, and production settings that pass
Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name",
    ["tracks:home", "consultations:request_new", "admin:login"],
)
def test_pages_carry_a_strict_content_security_policy_and_hardening_headers(
    client, url_name
):
    response = client.get(reverse(url_name))

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_production_settings_pass_the_deployment_checks():
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shatil_portal.settings",
        DJANGO_SECRET_KEY="x7Gq-9fLm_2Rtz" * 5,
        DJANGO_HTTPS="true",
        DJANGO_ALLOWED_HOSTS="portal.example.org",
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert completed.returncode == 0, completed.stderr
    assert "no issues" in completed.stdout


def test_https_settings_make_cookies_secure_and_send_hsts():
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO")
    }
    env.update(
        DJANGO_SECRET_KEY="x7Gq-9fLm_2Rtz" * 5,
        DJANGO_HTTPS="true",
    )
    script = (
        "import shatil_portal.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.split() == ["True", "True", "31536000", "True", "Lax"]


def _https_settings(**extra) -> str:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO")
    }
    env.update(DJANGO_SECRET_KEY="x7Gq-9fLm_2Rtz" * 5, DJANGO_HTTPS="true", **extra)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import shatil_portal.settings as s; print(s.SECURE_HSTS_PRELOAD)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_hsts_preload_is_the_deployers_choice_and_off_by_default():
    """Preloading is slow to undo: only DJANGO_HSTS_PRELOAD=true asks for it."""
    assert _https_settings() == "False"
    assert _https_settings(DJANGO_HSTS_PRELOAD="true") == "True"
