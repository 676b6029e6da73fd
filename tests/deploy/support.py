"""Loading the settings in a fresh process, from a given environment only."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def load_settings(environment: dict[str, str], expression: str):
    """The value of `expression` (over `s`, the settings) in a process whose
    whole environment is `environment` (no .env read); or the error text."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({expression}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_SECRET_KEY": "a-test-key-only-for-loading-the-settings-0123456789",
            **environment,
        },
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        return completed.stderr.strip().splitlines()[-1]
    return json.loads(completed.stdout)
