"""From triage to completion in Chromium.

A coordinator signs in to the admin (Hebrew), filters the new requests and
assigns the suggested advisor; the advisor signs in to the workspace, opens
the request, logs a meeting, sets it in progress and then completed, with
its outcome (refused first without one); the coordinator finds the outcome
on the dashboard. The organization's status page shows each step and the
outbox holds the emails.
axe-core checks the workspace pages in Hebrew, Arabic and English, and the
triage panel the project adds to the admin.
"""

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from consultations.business_time import ISRAEL_TZ
from consultations.models import Consultation, Meeting, OutboundEmail
from consultations.roles import COORDINATORS_GROUP
from tests.conftest import AXE_TAGS
from tests.consultations.conftest import create_staff_groups
from tests.factories import (
    PASSWORD,
    AdvisorProfileFactory,
    ConsultationFactory,
    UserFactory,
)

Status = Consultation.Status


def _sign_in(page, url, username):
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").last.click()


OUTCOME_NOTE = "הוועדה אימצה את הנוהל שהארגון הציע"


def _he(text: str) -> str:
    with translation.override("he"):
        return translation.gettext(text)


def _label(status):
    with translation.override("he"):
        return str(Status(status).label)


def _status_steps(page, status_url) -> list[str]:
    """The status page's timeline entries, as the organization reads them."""
    page.goto(status_url)
    return page.locator(".timeline li").all_inner_texts()


def _assert_panel_accessible(page, axe_source):
    """axe-core on what the project adds to Django's admin page."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run({include: ['.triage-panel']},"
        " {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    assert result["violations"] == [], result["violations"]


@pytest.fixture
def staff_groups(transactional_db):
    """The groups the migration creates, again after a flushed database."""
    create_staff_groups()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_request_goes_from_triage_to_completion(
    page, live_server, catalog, staff_groups, assert_accessible, axe_source
):
    from django.contrib.auth.models import Group

    coordinator = UserFactory(username="noa", first_name="Noa", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    advisor = AdvisorProfileFactory(
        user=UserFactory(username="yael", first_name="Yael"),
        languages=["he", "ar", "en"],
        regions=["nationwide"],
    ).user
    token = secrets.token_urlsafe(32)
    consultation = ConsultationFactory(
        history=False, status_token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    ConsultationFactory(history=False, status=Status.COMPLETED)
    status_path = reverse("consultations:request_status", kwargs={"token": token})
    status_url = f"{live_server.url}{status_path}"
    org_page = page.context.new_page()

    # The coordinator: admin sign-in, the new requests, one-click assignment.
    _sign_in(page, f"{live_server.url}/admin/", "noa")
    page.goto(f"{live_server.url}/admin/consultations/consultation/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator('#changelist-filter a[href*="status__exact=new"]').click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list").get_by_role(
        "link", name=consultation.reference
    ).click()
    suggestion = page.locator(".triage-suggestions tbody tr").first
    expect(suggestion).to_contain_text("Yael")
    _assert_panel_accessible(page, axe_source)
    suggestion.get_by_role("button").click()
    expect(page.locator(".messagelist")).to_contain_text(consultation.reference)
    consultation.refresh_from_db()
    assert (consultation.status, consultation.advisor) == (Status.ASSIGNED, advisor)
    steps = _status_steps(org_page, status_url)
    assert "Yael" in org_page.locator("main").inner_text()
    page.context.clear_cookies()

    # The advisor: the sign-in page, then the list, in three languages.
    for prefix in ("/ar", "/en", ""):
        page.goto(f"{live_server.url}{prefix}/accounts/login/")
        assert_accessible(page)
    _sign_in(page, f"{live_server.url}/accounts/login/", "yael")
    expect(page).to_have_url(f"{live_server.url}/workspace/")
    for prefix in ("/ar", "/en", ""):
        page.goto(f"{live_server.url}{prefix}/workspace/")
        assert_accessible(page)
        page.goto(f"{live_server.url}{prefix}/workspace/requests/{consultation.pk}/")
        assert_accessible(page)

    # Opens the request from the list and logs a meeting with an invitation.
    page.goto(f"{live_server.url}/workspace/")
    page.get_by_role("link", name=consultation.reference).click()
    expect(page.locator("h1")).to_contain_text(consultation.reference)
    day = (timezone.now() + timedelta(days=6)).astimezone(ISRAEL_TZ).date()
    page.locator("#id_meeting-date").fill(day.isoformat())
    page.locator("#id_meeting-time").fill("10:30")
    page.locator("#id_meeting-duration_minutes").select_option("90")
    page.locator("#id_meeting-mode_0").check()
    page.locator("#id_meeting-location_or_link").fill("https://meet.example.org/shatil")
    page.locator("#id_meeting-summary").fill("Mapping the decision makers.")
    page.locator("#id_meeting-summary").press("Tab")
    page.locator("form[action$='/meetings/'] [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("https://meet.example.org/shatil")
    assert_accessible(page)

    # Cancelling asks first; keeping the meeting changes nothing.
    page.locator("a[href$='/cancel/']").click()
    expect(page.locator("form[action$='/cancel/'] [type=submit]")).to_be_visible()
    assert_accessible(page)
    page.locator("form[action$='/cancel/'] a").click()
    expect(page.locator("h1")).to_contain_text(consultation.reference)
    assert Meeting.objects.get(consultation=consultation).status == "scheduled"

    # The meeting's calendar file downloads from the request page.
    with page.expect_download() as download_info:
        page.locator("a[href$='/calendar.ics']").click()
    download = download_info.value
    assert download.suggested_filename == f"meeting-{consultation.reference}.ics"
    assert "BEGIN:VEVENT" in Path(download.path()).read_text()

    # In progress, then completed, each seen by the organization.
    page.locator('button[name="to_status"][value="in_progress"]').click()
    expect(page.locator("#current-status")).to_have_text(_label(Status.IN_PROGRESS))
    in_progress_steps = _status_steps(org_page, status_url)
    assert in_progress_steps[:-1] == steps
    # Completing asks what the consultation achieved: without an answer the
    # page says so and keeps the note; with one, the request is completed.
    page.locator("details:has(form[action$='/complete/']) summary").click()
    page.locator("#id_complete-outcome_note").fill(OUTCOME_NOTE)
    page.locator("form[action$='/complete/'] [type=submit]").click()
    expect(page.locator("form[action$='/complete/']")).to_contain_text(
        _he(
            "Choose what the consultation achieved before completing the "
            "request (“Nothing yet” is an answer too)."
        )
    )
    expect(page.locator("#id_complete-outcome_note")).to_have_value(OUTCOME_NOTE)
    assert_accessible(page)
    page.get_by_label(_he("A policy was adopted")).check()
    page.locator("form[action$='/complete/'] [type=submit]").click()
    expect(page.locator("#current-status")).to_have_text(_label(Status.COMPLETED))
    completed_steps = _status_steps(org_page, status_url)
    assert completed_steps[:-1] == in_progress_steps
    assert len(set(completed_steps[-3:])) == 3

    consultation.refresh_from_db()
    assert consultation.status == Status.COMPLETED
    kinds = set(
        OutboundEmail.objects.filter(consultation=consultation).values_list(
            "kind", flat=True
        )
    )
    assert kinds >= {
        "advisor_assigned",
        "assignment",
        "meeting",
        "meeting_advisor",
        "completed",
    }
    assert (consultation.outcome.kind, consultation.outcome.note) == (
        "policy_adopted",
        OUTCOME_NOTE,
    )

    # The coordinator finds the outcome on the dashboard, under its track
    # and year.
    page.context.clear_cookies()
    _sign_in(page, f"{live_server.url}/admin/", "noa")
    page.goto(f"{live_server.url}/workspace/dashboard/")
    year = str(consultation.closed_at.astimezone(ISRAEL_TZ).year)
    with translation.override("he"):
        track_title = str(consultation.track.title)
    row = page.locator("#figure-achieved tbody tr", has_text=track_title).filter(
        has_text=year
    )
    expect(row.locator("td")).to_have_text([year, "1", "0", "0", "0", "0", "1"])
    expect(page.locator("#figure-achieved svg")).to_have_count(1)
    assert_accessible(page)
