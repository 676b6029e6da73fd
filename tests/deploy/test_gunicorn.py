"""The Procfile's web process listens on loopback unless told otherwise: on
one host behind nginx, a gunicorn reachable from outside would let a client
forge X-Forwarded-For past the rate limits."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def procfile_command(name: str) -> str:
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        key, _, command = line.partition(":")
        if key == name:
            return command.strip()
    raise AssertionError(f"no {name} process in the Procfile")


def gunicorn_config(environment: dict[str, str]) -> dict:
    """Runs the Procfile's web line through the shell, as a process manager
    would, with gunicorn's own option parsing in place of gunicorn."""
    command = procfile_command("web")
    assert command.startswith("gunicorn ")
    dumper = shlex.join(
        [sys.executable, str(BASE_DIR / "tests/deploy/gunicorn_config.py")]
    )
    completed = subprocess.run(
        ["sh", "-c", dumper + command.removeprefix("gunicorn")],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_ENV_FILE": os.devnull, **environment},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    ("environment", "bind"),
    [
        ({}, ["127.0.0.1:8000"]),
        # gunicorn alone would listen on 0.0.0.0 when PORT is set.
        ({"PORT": "9001"}, ["127.0.0.1:9001"]),
        ({"GUNICORN_BIND": "10.0.0.5:8000"}, ["10.0.0.5:8000"]),
        ({"GUNICORN_BIND": "unix:/run/shatil/web.sock"}, ["unix:/run/shatil/web.sock"]),
    ],
)
def test_the_web_process_binds_to_loopback_unless_told_otherwise(environment, bind):
    assert gunicorn_config(environment)["bind"] == bind


def test_the_number_of_web_workers_is_a_setting():
    assert gunicorn_config({})["workers"] == 3
    assert gunicorn_config({"WEB_CONCURRENCY": "5"})["workers"] == 5


def test_gunicorn_reads_the_env_file_and_the_real_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("GUNICORN_BIND=10.0.0.5:8000\nWEB_CONCURRENCY=4\n")

    from_file = gunicorn_config({"DJANGO_ENV_FILE": str(env_file)})
    overridden = gunicorn_config(
        {"DJANGO_ENV_FILE": str(env_file), "GUNICORN_BIND": "127.0.0.1:9000"}
    )

    assert from_file == {"bind": ["10.0.0.5:8000"], "workers": 4}
    assert overridden["bind"] == ["127.0.0.1:9000"]
