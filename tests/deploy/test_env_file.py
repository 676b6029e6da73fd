"""`.env.example` is one file that systemd, bash and django-environ all read
the same way, and the settings load from it with the values it states.

systemd's rules for EnvironmentFile= (systemd.exec(5)) are implemented here,
since no systemd runs in this container: one assignment per line, empty lines
and lines starting with # or ; ignored, whitespace around the value stripped,
a value in double or single quotes unquoted. Nothing after a value is a
comment: that is the trap a `DJANGO_HTTPS=true   # note` line fell into.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from shatil_portal.environment import Env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
EXAMPLE = BASE_DIR / ".env.example"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_as_systemd(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        assert sep and NAME.match(key.strip()), f"not an assignment: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        # Backslashes, $ and backquotes mean different things to systemd and
        # bash: the example has none.
        assert not re.search(r"[\\$`]", value), f"{key}: {value!r}"
        values[key.strip()] = value
    return values


def parse_as_bash(path: Path) -> dict[str, str]:
    script = f"set -a; . {path}; env -0"
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
    )
    assert completed.stderr == b""
    entries = completed.stdout.decode().split("\0")
    pairs = (entry.split("=", 1) for entry in entries if entry)
    ignored = {"PATH", "PWD", "SHLVL", "_", "OLDPWD"}
    return {key: value for key, value in pairs if key not in ignored}


def parse_as_django_environ(path: Path) -> dict[str, str]:
    environment: dict[str, str] = {}

    class Reader(Env):
        ENVIRON = environment

    Reader.read_env(path)
    return environment


def test_systemd_bash_and_django_environ_read_the_same_values():
    by_systemd = parse_as_systemd(EXAMPLE.read_text())

    assert parse_as_bash(EXAMPLE) == by_systemd
    assert parse_as_django_environ(EXAMPLE) == by_systemd


def test_every_value_is_what_its_comment_says():
    values = parse_as_systemd(EXAMPLE.read_text())

    assert values["DJANGO_HTTPS"] == "true"
    assert values["DJANGO_ADMIN_REQUIRE_OTP"] == "true"
    assert values["DJANGO_ALLOWED_HOSTS"] == "portal.shatil.org.il"
    assert values["DJANGO_DEFAULT_FROM_EMAIL"] == "Shatil <policy-center@shatil.org.il>"
    assert values["DJANGO_CONN_MAX_AGE"] == "60"
    for key, value in values.items():
        assert "#" not in value, f"{key} carries a comment: {value!r}"


def _settings_from(environment: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'ssl_redirect': s.SECURE_SSL_REDIRECT,"
        " 'secure_cookie': s.SESSION_COOKIE_SECURE,"
        " 'otp': s.ADMIN_REQUIRE_OTP, 'hosts': s.ALLOWED_HOSTS,"
        " 'origins': s.CSRF_TRUSTED_ORIGINS, 'from': s.DEFAULT_FROM_EMAIL,"
        " 'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'],"
        " 'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['LOCATION'],"
        " 'catalog_seconds': s.CATALOG_LOCAL_SECONDS, 'debug': s.DEBUG,"
        " 'coordinator': s.ACCESSIBILITY_COORDINATOR['email']}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


EXPECTED = {
    "ssl_redirect": True,
    "secure_cookie": True,
    "otp": True,
    "hosts": ["portal.shatil.org.il"],
    "origins": ["https://portal.shatil.org.il"],
    "from": "Shatil <policy-center@shatil.org.il>",
    "conn_max_age": 60,
    # Empty lines mean the defaults.
    "broker": "redis://redis.internal:6379/0",
    "cache": "redis://redis.internal:6379/0",
    "catalog_seconds": 1.0,
    "debug": False,
    "coordinator": "policy-center@shatil.org.il",
}


def test_settings_load_from_the_values_systemd_passes():
    environment = parse_as_systemd(EXAMPLE.read_text())

    loaded = _settings_from(
        {
            **environment,
            "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
            "DJANGO_ENV_FILE": os.devnull,
        }
    )

    assert loaded == EXPECTED


def test_settings_read_the_env_file_and_the_real_environment_wins():
    loaded = _settings_from(
        {
            "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
            "DJANGO_ENV_FILE": str(EXAMPLE),
            "DJANGO_ALLOWED_HOSTS": "other.example.org",
        }
    )

    assert loaded == EXPECTED | {"hosts": ["other.example.org"]}


@pytest.mark.parametrize(
    "value", ["true   # HSTS, secure cookies", "treu", "enabled", "yes please"]
)
def test_a_boolean_that_cannot_be_parsed_stops_start_up_naming_it(value):
    env = Env()
    env.ENVIRON = {"DJANGO_HTTPS": value}

    with pytest.raises(ImproperlyConfigured) as raised:
        env.bool("DJANGO_HTTPS", default=False)

    assert "DJANGO_HTTPS" in str(raised.value)
    assert repr(value) in str(raised.value)


def test_a_number_that_cannot_be_parsed_stops_start_up_naming_it():
    env = Env()
    env.ENVIRON = {"DJANGO_CONN_MAX_AGE": "60   # seconds"}

    with pytest.raises(ImproperlyConfigured, match="DJANGO_CONN_MAX_AGE='60   # s"):
        env.int("DJANGO_CONN_MAX_AGE", default=60)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("False", False), ("1", True), ("0", False), (" on ", True)],
)
def test_the_usual_spellings_of_a_boolean_are_read(value, expected):
    env = Env()
    env.ENVIRON = {"DJANGO_HTTPS": value}

    assert env.bool("DJANGO_HTTPS", default=not expected) is expected


def test_an_empty_value_means_the_default_and_a_required_one_is_refused():
    env = Env()
    env.ENVIRON = {"DJANGO_CONN_MAX_AGE": "", "DJANGO_SECRET_KEY": ""}

    assert env.int("DJANGO_CONN_MAX_AGE", default=60) == 60
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        env("DJANGO_SECRET_KEY")
