"""`make run PORT=...`: the demo serves the port asked for, and the links in
its emails point at that port unless PORTAL_BASE_URL says otherwise."""

import os
import subprocess

from django.conf import settings


def _make_run_dry(*args: str, environ: dict | None = None) -> str:
    """The commands `make run` would run, printed by make and not run."""
    env = {k: v for k, v in os.environ.items() if k not in {"PORT", "PORTAL_BASE_URL"}}
    env.update(environ or {})
    completed = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def _demo_script_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if "scripts/run_demo.sh" in line]
    return line


def test_the_demo_serves_port_8000_by_default_with_links_to_it():
    line = _demo_script_line(_make_run_dry())

    assert " PORT=8000 " in line
    assert " PORTAL_BASE_URL=http://127.0.0.1:8000 " in line


def test_a_port_given_to_make_run_is_served_and_used_in_the_email_links():
    output = _make_run_dry("PORT=8010")

    line = _demo_script_line(output)
    assert " PORT=8010 " in line
    assert " PORTAL_BASE_URL=http://127.0.0.1:8010 " in line
    # The demo data is seeded with the same links.
    (seed,) = [line for line in output.splitlines() if "seed_demo_data" in line]
    assert " PORTAL_BASE_URL=http://127.0.0.1:8010 " in seed


def test_a_portal_base_url_that_is_set_wins_over_the_port():
    line = _demo_script_line(
        _make_run_dry(
            "PORT=8010", environ={"PORTAL_BASE_URL": "https://demo.example.org"}
        )
    )

    assert " PORT=8010 " in line
    assert " PORTAL_BASE_URL=https://demo.example.org " in line
