"""Every public page is valid HTML in each language: the Nu HTML Checker
(the W3C validator, npm's vnu-jar) reads them all in one run and reports no
error (issue 19: "0 validator errors on every public page in he, ar and
en").

The pages are rendered with the test client, written to a folder, and
checked by one java process (a few seconds), not one per page."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from consultations.models import (
    CoalitionMember,
    Consultation,
    PolicyTool,
    ReferenceSequence,
)
from consultations.roles import ADVISORS_GROUP
from consultations.services.checklist import ToolAnswer, checklist_take
from consultations.services.engagement import work_plan_start_from_template
from consultations.services.intake import status_token_new
from consultations.services.players import player_add
from tests.factories import (
    AdvisorProfileFactory,
    ConsultationFactory,
    FeedbackFactory,
    UserFactory,
    request_form_data,
)
from tests.migration_data import restore_staff_groups
from tracks.models import Track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

VNU_JAR = Path(django_settings.BASE_DIR) / "node_modules/vnu-jar/build/dist/vnu.jar"
STATUS_TOKEN = "status-token-for-validator-0123456789abcdef"
FEEDBACK_TOKEN = "feedback-token-for-validator-0123456789abc"
LANGUAGES = {"he": "", "ar": "/ar", "en": "/en"}


def _pages(client) -> dict[str, bytes]:
    """Each public page's HTML by a file name that says which it is."""
    restore_staff_groups()
    advisor = UserFactory(groups=[ADVISORS_GROUP], first_name="Yael")
    AdvisorProfileFactory(user=advisor)
    consultation = ConsultationFactory(
        status_token=STATUS_TOKEN,
        reference="SH-2020-09999",
        contact_phone="+972523456789",
        status=Consultation.Status.ASSIGNED,
        advisor=advisor,
    )
    # The engagement's pages: a plan from the track's template, a player on
    # its map, and a checklist taken once.
    plan = work_plan_start_from_template(consultation=consultation, actor=advisor)
    player_add(
        plan=plan,
        actor=advisor,
        name="ועדת החינוך של הכנסת",
        kind="knesset",
        stance="supports",
        influence=5,
        interest=4,
        relationship="",
    )
    checklist_take(
        consultation=consultation,
        answers=[
            ToolAnswer(tool_id=tool.pk, level=(index % 4) + 1)
            for index, tool in enumerate(PolicyTool.objects.filter(is_active=True))
        ],
        source="status_page",
    )
    member_token, digest = status_token_new()
    CoalitionMember.objects.create(
        consultation=consultation,
        name="Sikkuy",
        contact_email="s@example.org",
        notice_token_hash=digest,
    )
    FeedbackFactory(token=FEEDBACK_TOKEN)
    # Submissions below count on from here, past the factories' references.
    ReferenceSequence.objects.update_or_create(
        year=timezone.localdate().year, defaults={"last_number": 9000}
    )
    gets = [
        "/",
        *(f"/tracks/{slug}/" for slug in Track.objects.values_list("slug", flat=True)),
        "/accessibility/",
        "/privacy/",
        "/request/",
        "/request/lost-link/",
        f"/request/status/{STATUS_TOKEN}/",
        f"/request/status/{STATUS_TOKEN}/withdraw/",
        f"/request/status/{STATUS_TOKEN}/contact/",
        f"/request/status/{STATUS_TOKEN}/delete/",
        f"/request/status/{STATUS_TOKEN}/plan/",
        f"/request/status/{STATUS_TOKEN}/plan/players/",
        f"/request/status/{STATUS_TOKEN}/plan/print/",
        f"/request/status/{STATUS_TOKEN}/checklist/",
        f"/request/member/{member_token}/",
        f"/feedback/{FEEDBACK_TOKEN}/",
        "/accounts/login/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/no-such-page/",
    ]
    pages = {}
    for language, prefix in LANGUAGES.items():
        for path in gets:
            response = client.get(prefix + path)
            assert response.status_code in (200, 404), path
            pages[f"{language}{path}"] = response.content
        # The form with its errors, and a correction with its errors.
        refused = client.post(f"{prefix}/request/", request_form_data(contact_email=""))
        pages[f"{language}/request/with-errors"] = refused.content
        corrected = client.post(
            f"{prefix}/request/status/{STATUS_TOKEN}/contact/",
            {"contact_name": "", "contact_email": "x", "contact_phone": "1"},
        )
        pages[f"{language}/request/status/contact/with-errors"] = corrected.content
        sent = client.post(f"{prefix}/request/", request_form_data())
        pages[f"{language}/request/received"] = client.get(sent["Location"]).content
    return pages


@pytest.mark.skipif(
    shutil.which("java") is None or not VNU_JAR.exists(),
    reason="needs java and npm's vnu-jar (make install)",
)
def test_every_public_page_is_valid_html_in_every_language(client, settings, tmp_path):
    settings.RATELIMIT_ENABLE = False
    names = {}
    for index, (name, html) in enumerate(_pages(client).items()):
        file = tmp_path / f"page-{index:03d}.html"
        file.write_bytes(html)
        names[file.name] = name

    result = subprocess.run(
        ["java", "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        + sorted(str(tmp_path / file_name) for file_name in names),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{names.get(message.get('url', '').rsplit('/', 1)[-1], message.get('url'))}:"
        f"{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
    assert len(names) >= 3 * 24
