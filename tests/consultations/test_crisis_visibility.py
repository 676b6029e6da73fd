"""Who sees a crisis request: the privacy notice on the form, /privacy/,
docs/SECURITY.md and the portal's behaviour say the same thing. The
coordinators (the crisis permission) and the advisor assigned to the request,
who sees all of it; nobody else. Crisis requests are never assigned in bulk,
since the assignment is what opens one to an advisor."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation
from tests.consultations.conftest import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status

NOTICE = (
    "<strong>Who sees it:</strong> the center's coordinators and the advisor "
    "assigned to the request. A request on the crisis track is seen only by the "
    "coordinators and by the advisor assigned to it, who sees all of it."
)
POLICY = (
    "The center's coordinators see every request, and the advisor assigned to a "
    "request sees that request. A request on the crisis track is seen only by the "
    "coordinators and by the advisor assigned to it, who sees all of it; a "
    "coordinator assigns each crisis request to its advisor individually. "
    "Notification emails about crisis requests carry only a reference number and "
    "a link, not the details."
)
SECURITY_MD = Path(settings.BASE_DIR) / "docs" / "SECURITY.md"


def _text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize(("prefix", "language"), [("", "he"), ("/ar", "ar")])
def test_the_notice_and_the_policy_name_the_assigned_advisor_in_every_language(
    client, catalog, prefix, language
):
    """The form's notice and /privacy/ say who sees a crisis request, in
    Hebrew, Arabic and English alike."""
    settings.RATELIMIT_ENABLE = False
    form, policy = client.get(f"{prefix}/request/"), client.get(f"{prefix}/privacy/")
    with translation.override(language):
        notice_text = translation.gettext(NOTICE)
        policy_text = translation.gettext(POLICY)
    assert notice_text != NOTICE and policy_text != POLICY  # translated
    assert notice_text in _text(form)
    assert policy_text in _text(policy)

    english_form = _text(client.get("/en/request/")).replace("&#x27;", "'")
    english_policy = _text(client.get("/en/privacy/")).replace("&#x27;", "'")
    assert NOTICE in english_form
    assert POLICY in english_policy
    for page in (english_form, english_policy):
        assert "seen by the coordinators only" not in page
        assert "limited to the coordinators" not in page


def test_security_md_says_what_the_notice_says():
    """docs/SECURITY.md states the same rule, and that bulk assignment
    leaves crisis requests out."""
    text = " ".join(SECURITY_MD.read_text(encoding="utf-8").split())
    assert (
        "a request on the crisis track is seen only by the coordinators" in text
        and "by the advisor assigned to it, who sees all of it" in text
    )
    assert "crisis requests are never assigned in bulk" in text
    assert "crisis ones included" in text


def test_the_assigned_advisor_sees_the_crisis_request_in_full_and_nobody_else_does(
    client, coordinator, plain_staff, advisor, other_advisor
):
    """What the notice promises is what the portal does."""
    crisis = ConsultationFactory(
        is_crisis=True,
        status=Status.ASSIGNED,
        advisor=advisor,
        goal="A goal only the few may read.",
    )
    workspace = reverse("workspace:request_detail", args=[crisis.pk])
    admin = reverse("admin:consultations_consultation_change", args=[crisis.pk])

    client.force_login(advisor)
    response = client.get(workspace)
    assert response.status_code == 200
    assert "A goal only the few may read." in response.content.decode()
    assert crisis.contact_email in response.content.decode()

    client.force_login(coordinator)
    assert client.get(workspace).status_code == 200
    assert client.get(admin).status_code == 200

    client.force_login(other_advisor)
    assert client.get(workspace).status_code == 404
    client.force_login(plain_staff)
    assert client.get(workspace).status_code == 404
    assert client.get(admin).status_code == 302  # "doesn't exist"


def test_bulk_assignment_leaves_crisis_requests_out_and_says_how_many(
    client, coordinator, advisor
):
    """Even staff who may see crisis requests assign them one at a time: the
    bulk action assigns the others and counts the crisis ones it left."""
    crisis = [ConsultationFactory(is_crisis=True) for _ in range(2)]
    normal = ConsultationFactory()
    client.force_login(coordinator)

    with translation.override("en"):
        changelist = reverse("admin:consultations_consultation_changelist")
    response = client.post(
        changelist,
        {
            "action": "assign_suggested_advisor",
            ACTION_CHECKBOX_NAME: [c.pk for c in [*crisis, normal]],
        },
    )

    assert response.status_code == 302
    normal.refresh_from_db()
    assert normal.advisor == advisor
    for consultation in crisis:
        consultation.refresh_from_db()
        assert consultation.advisor is None
        assert consultation.status == Status.NEW
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert "1 request was assigned." in texts
    assert (
        "2 crisis requests were left out: crisis requests are assigned one at a "
        "time, from the request's own page." in texts
    )
