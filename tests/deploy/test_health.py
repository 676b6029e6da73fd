"""/healthz notices what matters: a dead worker or beat, and emails piling up
as pending; and a load balancer's probe gets an answer whatever Host header
or scheme it uses.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from shatil_portal.celery import app
from shatil_portal.health import record_heartbeat
from shatil_portal.models import Heartbeat
from shatil_portal.tasks import heartbeat_task
from tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def _aged_email(seconds: float, **fields):
    email = OutboundEmailFactory(**fields)
    type(email).objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )
    return email


def test_all_ok_with_a_fresh_heartbeat_and_no_email_waiting(client):
    record_heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "outbox": "ok",
    }
    assert body["ages"]["oldest_pending_email_age_seconds"] is None
    assert "no-cache" in response["Cache-Control"]


def test_a_dead_worker_that_never_beat_is_a_503(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "silent"
    assert response.json()["ages"]["heartbeat_age_seconds"] is None


def test_a_heartbeat_older_than_the_threshold_is_a_503(client, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 300
    record_heartbeat(now=timezone.now() - timedelta(seconds=301))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "silent"
    assert response.json()["ages"]["heartbeat_age_seconds"] >= 301


def test_an_email_pending_longer_than_the_threshold_is_a_503(client, settings):
    settings.HEALTH_OUTBOX_MAX_AGE = 900
    record_heartbeat()
    _aged_email(600)
    _aged_email(1000)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == "backlog"
    assert response.json()["ages"]["oldest_pending_email_age_seconds"] >= 1000


def test_old_emails_already_sent_or_failed_do_not_count(client):
    record_heartbeat()
    _aged_email(10_000, status="sent", sent_at=timezone.now())
    _aged_email(10_000, status="failed")
    _aged_email(60)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert 55 <= response.json()["ages"]["oldest_pending_email_age_seconds"] < 120


def test_the_web_check_for_a_balancer_ignores_the_worker(client):
    """A dead worker must not take every web server out of the balancer."""
    _aged_email(10_000)

    response = client.get("/healthz/web")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/web"])
def test_a_probe_by_ip_address_gets_the_health_not_a_400(client, path):
    record_heartbeat()

    response = client.get(path, HTTP_HOST="10.0.0.5")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/healthz/web"])
def test_a_plain_http_probe_with_https_on_gets_the_health_not_a_301(
    client, settings, path
):
    settings.SECURE_SSL_REDIRECT = True
    record_heartbeat()

    response = client.get(path, HTTP_HOST="10.0.0.5")

    assert response.status_code == 200
    # Every other page still redirects to HTTPS.
    assert client.get("/").status_code == 301


def test_beat_schedules_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]

    assert entry["task"] == heartbeat_task.name
    assert entry["schedule"] == 60.0
    assert settings.HEALTH_HEARTBEAT_MAX_AGE > entry["schedule"]


def test_a_real_worker_runs_the_heartbeat_and_health_turns_ok(celery_worker, client):
    assert client.get("/healthz").status_code == 503

    app.send_task(heartbeat_task.name)
    deadline = time.monotonic() + 10
    while not Heartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert client.get("/healthz").status_code == 200
