"""The project's wiring: health endpoint, Celery, settings and languages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shatil_portal.health import record_heartbeat

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_when_database_and_broker_answer(client):
    record_heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "outbox": "ok",
    }


def test_healthz_answers_503_with_a_clear_body_when_the_broker_is_unreachable(
    client, settings
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    record_heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "unreachable",
        "worker": "ok",
        "outbox": "ok",
    }


def test_a_real_worker_on_the_real_redis_runs_the_wiring_task(celery_worker):
    from shatil_portal.celery import app
    from shatil_portal.tasks import wiring_check_task

    # The worker proves it ran the task by answering through Redis.
    result = app.send_task(wiring_check_task.name, args=[41], ignore_result=False)
    assert result.get(timeout=10) == 42


def test_tasks_can_be_enqueued_after_commit():
    """Celery >= 5.4 gives Django projects delay_on_commit on every task."""
    from shatil_portal.tasks import wiring_check_task

    assert callable(wiring_check_task.delay_on_commit)


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
    }
    completed = subprocess.run(
        [sys.executable, "-c", "import shatil_portal.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )

    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY" in completed.stderr
