"""No status or feedback token in any log line: gunicorn's access and error
logs (the Procfile's own command), the development server's log, Django's
and Celery's loggers, and the error report mailed to the admins."""

import io
import logging
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.urls import resolve

from shatil_portal.privacy import mask_personal_data

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _configured_handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The logger's handlers that write somewhere, without the ones pytest
    adds to capture."""
    return [
        handler
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    ]


def _token() -> str:
    return secrets.token_urlsafe(32)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _procfile_web_command() -> list[str]:
    line = next(
        line
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    return shlex.split(line.removeprefix("web:").strip())


def _get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db
def test_the_procfiles_gunicorn_logs_no_token(tmp_path):
    """The web command as the Procfile runs it, on a loopback port: its
    access log shows each request, with the token masked, and the referrer
    (the status page sends one to its own assets) masked too."""
    port = _free_port()
    status, feedback, referred = _token(), _token(), _token()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "shatil_portal.test_settings",
        # gunicorn.conf.py binds 127.0.0.1:$PORT.
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            _procfile_web_command(), cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            answers = [
                _get(f"{base}/request/status/{status}/"),
                _get(f"{base}/en/feedback/{feedback}/"),
                _get(
                    f"{base}/static/missing.css",
                    Referer=f"{base}/ar/request/status/{referred}/",
                ),
            ]
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text()

    assert answers[:2] == [404, 404], text
    assert "/request/status/[token]/" in text
    assert "/en/feedback/[token]/" in text
    assert "/ar/request/status/[token]/" in text
    for token in (status, feedback, referred):
        assert token not in text


def test_the_development_servers_log_masks_the_token():
    """django.server writes runserver's access log through the filter."""
    token = _token()
    stream = io.StringIO()
    handlers = _configured_handlers(logging.getLogger("django.server"))
    assert handlers
    for handler in handlers:
        previous = handler.setStream(stream)
        try:
            logging.getLogger("django.server").info(
                '"%s" %s %s', f"GET /request/status/{token}/ HTTP/1.1", 200, 512
            )
        finally:
            handler.setStream(previous)

    assert token not in stream.getvalue()
    assert "/request/status/[token]/" in stream.getvalue()


def test_every_django_log_handler_masks_tokens():
    """Each handler of the configured loggers, root included, carries the
    filter (a filter on a logger would miss what its children propagate)."""
    from shatil_portal.privacy import PersonalDataFilter

    names = ["", "django", "django.request", "django.server", "celery"]
    for name in names:
        logger = logging.getLogger(name)
        while logger:
            for handler in _configured_handlers(logger):
                assert any(
                    isinstance(f, PersonalDataFilter) for f in handler.filters
                ), (name, handler)
            logger = logger.parent if logger.propagate else None


def test_the_error_report_mailed_to_the_admins_has_no_token(settings):
    """Django's 500 email (subject and body: URL, headers, frame
    variables) shows the token masked."""
    settings.ADMINS = [("Admin", "admin@example.org")]
    token = _token()
    path = f"/request/status/{token}/"
    request = RequestFactory().get(path, HTTP_REFERER=f"http://x{path}")
    request.resolver_match = resolve(path)
    try:
        raise RuntimeError(f"lookup failed for {path}")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=True,
            extra={"status_code": 500, "request": request},
        )

    (report,) = mail.outbox
    body = report.body + "".join(str(a[0]) for a in report.alternatives)
    assert "/request/status/[token]/" in report.subject
    assert token not in report.subject
    assert token not in body


def test_a_real_celery_workers_log_has_no_token(tmp_path):
    """The Procfile's worker, started for real: a message it cannot run is
    logged with its whole body, and the token in it is masked."""
    queue = f"token-log-{secrets.token_hex(4)}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "shatil_portal.test_settings",
    }
    token = _token()
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                *("celery", "-A", "shatil_portal", "worker", "--pool=solo"),
                *("--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            from shatil_portal.celery import app

            app.send_task(
                "tests.no_such_task", args=[f"/en/feedback/{token}/"], queue=queue
            )
            while "no_such_task" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    text = log.read_text()

    assert "no_such_task" in text, text
    assert "/en/feedback/[token]/" in text
    assert token not in text


def test_the_celery_workers_log_handlers_get_the_filter():
    """The worker sets up its own handlers; the signal the worker sends
    afterwards gives each of them the filter."""
    from celery.signals import after_setup_logger

    import shatil_portal.celery  # noqa: F401  (connects the receivers)

    token = _token()
    stream = io.StringIO()
    logger = logging.getLogger("test.celery.worker")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        logger.warning("Task failed for /feedback/%s/", token)
    finally:
        logger.removeHandler(handler)

    assert token not in stream.getvalue()
    assert "/feedback/[token]/" in stream.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "GET /request/status/{t}/ HTTP/1.1",
        "GET /ar/request/status/{t}/withdraw/ HTTP/1.1",
        "GET /en/feedback/{t}/?x=1",
        "POST /ar/request/member/{t}/ HTTP/1.1",
        "/accounts/login/?next=%2Frequest%2Fstatus%2F{t}%2F",
        'Referer: "https://portal.example/feedback/{t}"',
    ],
)
def test_the_one_redaction_function_masks_a_token_wherever_a_url_quotes_it(text):
    token = _token()

    masked = mask_personal_data(text.format(t=token))

    assert token not in masked
    assert re.search(r"\[token\]", masked)


def test_an_admin_pages_number_is_not_taken_for_a_token():
    text = "GET /admin/consultations/feedback/12/change/ HTTP/1.1"
    assert mask_personal_data(text) == text
