"""`make audit`: Lighthouse's accessibility score on every public page in
Hebrew, Arabic and English, against a portal started here; fails below 100.

A fresh SQLite database (var/audit/) gets the catalog (migrations), one
request with its private link, a coalition member's link and a feedback
invitation, so the private pages are real too. The portal runs in demo mode
on a free port, Lighthouse (npm) runs in one headless Chromium, and the
results go to var/audit/lighthouse.json. Takes a few minutes: it is not
part of `make test` (the validator and axe-core are).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "audit"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LANGUAGES = ["", "/ar", "/en"]

SEED = """
import json, uuid
from django.db import transaction
from consultations.models import CoalitionMember, Organization
from consultations.services.feedback import feedback_invite
from consultations.services.intake import (
    ContactDetails, OrganizationDetails, consultation_submit, status_token_new,
)
from tracks.models import Track

consultation, token = consultation_submit(
    submission_key=uuid.uuid4(),
    organization=OrganizationDetails(
        name="עמותת שוויון בנגב", kind=Organization.Kind.GRASSROOTS, region="south"
    ),
    contact=ContactDetails(
        name="דנה לוי", email="dana@example.org", phone="050-123-4567"
    ),
    track=Track.objects.get(slug="project-consulting"),
    goal="לקדם הסעות ציבוריות לבתי הספר באזור.",
    consent=True,
)
member_token, digest = status_token_new()
CoalitionMember.objects.create(
    consultation=consultation, name="סיכוי", contact_email="s@example.org",
    notice_token_hash=digest,
)
with transaction.atomic():
    invitation = feedback_invite(consultation=consultation)
print(json.dumps({
    "status": token,
    "member": member_token,
    "feedback": invitation.url.rstrip("/").rsplit("/", 1)[-1],
    "tracks": list(Track.objects.filter(is_active=True).values_list("slug", flat=True)),
}))
"""


def environment(port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_DEMO_MODE": "1",
        "PORT": str(port),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{WORK / 'audit.sqlite3'}",
        "DJANGO_LOCAL_CACHE": "1",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "RATELIMIT_LOOKUP": "100000/h",
        "RATELIMIT_SUBMIT": "100000/h",
        "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pages(seeded: dict) -> list[str]:
    status = f"/request/status/{seeded['status']}/"
    paths = [
        "/",
        *(f"/tracks/{slug}/" for slug in seeded["tracks"]),
        "/accessibility/",
        "/privacy/",
        "/request/",
        "/request/lost-link/",
        status,
        f"{status}withdraw/",
        f"{status}contact/",
        f"{status}delete/",
        f"/request/member/{seeded['member']}/",
        f"/feedback/{seeded['feedback']}/",
        "/accounts/login/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/no-such-page/",
    ]
    return [prefix + path for prefix in LANGUAGES for path in paths]


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "audit.sqlite3").unlink(missing_ok=True)
    port = free_port()
    env = environment(port)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    seeded = json.loads(
        subprocess.run(
            [*manage, "shell", "-c", SEED],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz/web", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        urls = [base + path for path in pages(seeded)]
        result = subprocess.run(
            [
                "node",
                str(ROOT / "scripts" / "audit" / "lighthouse.mjs"),
                str(WORK / "lighthouse.json"),
                *urls,
            ],
            env=env,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    report = json.loads((WORK / "lighthouse.json").read_text())
    below = [item for item in report if item["score"] < 100]
    print(
        f"\nLighthouse accessibility: {len(report) - len(below)} of {len(report)} "
        f"pages score 100 (var/audit/lighthouse.json)."
    )
    return result.returncode or (1 if below else 0)


if __name__ == "__main__":
    sys.exit(main())
