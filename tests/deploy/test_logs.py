"""Logs a person can read: one time zone with its offset across gunicorn and
Django, the visitor's address (not the proxy's) in the access log, and a
request for a foreign host name as a one-line warning."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.deploy.test_gunicorn import procfile_command

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> None:
    request = urllib.request.Request(url, headers=headers)
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError:
        pass


@pytest.fixture(scope="module")
def gunicorn_logs(tmp_path_factory):
    """gunicorn started with the Procfile's command line behind a pretend
    proxy (one trusted hop), asked twice; its output, once stopped."""
    port = _free_port()
    output = tmp_path_factory.mktemp("gunicorn") / "output.log"
    bin_dir = str(Path(sys.executable).parent)
    environment = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "shatil_portal.test_settings",
        "DJANGO_ENV_FILE": os.devnull,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        # The proxy in front appends the visitor's address (both spellings
        # of the trusted-proxy setting).
        "DJANGO_TRUSTED_PROXY_HOPS": "1",
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        "TZ": "UTC",
    }
    with output.open("wb") as sink:
        server = subprocess.Popen(
            ["sh", "-c", "exec " + procfile_command("web")],
            cwd=BASE_DIR,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, output.read_text()
                    assert server.poll() is None, output.read_text()
                    time.sleep(0.2)
            base = f"http://127.0.0.1:{port}"
            _get(f"{base}/healthz/web", **{"X-Forwarded-For": "198.51.100.7"})
            _get(f"{base}/", Host="scanner.example")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return output.read_text()


def test_the_access_log_names_the_visitor_not_the_proxy(gunicorn_logs):
    (line,) = [
        line for line in gunicorn_logs.splitlines() if '"GET /healthz/web' in line
    ]

    assert line.startswith("198.51.100.7 via 127.0.0.1 ")


def test_gunicorn_and_django_write_israel_time_with_its_offset(gunicorn_logs):
    """The server's own zone (UTC here) is not what the lines show."""
    offset = time.strftime("%z")  # this process runs Django's TIME_ZONE
    assert offset in ("+0200", "+0300")
    access = [line for line in gunicorn_logs.splitlines() if '"GET ' in line]
    django = [line for line in gunicorn_logs.splitlines() if "[django." in line]

    assert access and all(f" {offset}]" in line for line in access)
    assert django and all(line.split(" ")[0].endswith(offset) for line in django)
    assert f"{offset}] [" in gunicorn_logs  # gunicorn's own "Booting worker"


def test_a_foreign_host_name_is_one_warning_line_without_a_traceback(gunicorn_logs):
    (line,) = [line for line in gunicorn_logs.splitlines() if "DisallowedHost" in line]

    assert " WARNING [django.security.DisallowedHost] Invalid HTTP_HOST" in line
    assert "Traceback" not in gunicorn_logs


def test_disallowed_host_is_logged_as_a_warning_without_the_exception(caplog, db):
    with caplog.at_level(logging.INFO):
        response = Client().get("/", HTTP_HOST="scanner.example")

    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name.endswith("DisallowedHost")]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
