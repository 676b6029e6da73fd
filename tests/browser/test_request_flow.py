"""An organization requests a consultation in Chromium: from a track's page,
through a mistake and its correction, to the reference; then the private
link from the confirmation email, a message, and the withdrawal.

A real Celery worker on the real Redis delivers the emails, so the link the
test opens is the one a person would get. axe-core checks the form (empty and
with errors), the confirmation and the status page.
"""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from consultations.models import Consultation, Message
from tests.factories import VALID_NONPROFIT_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"SH-\d{4}-\d{5}")
STATUS_LINK = re.compile(r"https?://\S+/request/status/[\w-]+/")
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def portal(live_server, catalog, celery_worker, settings):
    """The live server, with email links pointing at it and no rate limits
    (their counters outlive the test in Redis)."""
    settings.PORTAL_BASE_URL = live_server.url
    settings.RATELIMIT_ENABLE = False
    return live_server


@pytest.fixture
def dialogs(page):
    """Every JavaScript dialog the page opens: none may open."""
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def fill_request(page, *, email, registration_number=VALID_NONPROFIT_NUMBER):
    page.fill("#id_organization_name", "עמותת שוויון בנגב")
    page.select_option("#id_organization_kind", "nonprofit")
    page.fill("#id_registration_number", registration_number)
    page.select_option("#id_region", "south")
    page.fill("#id_locality", "באר שבע")
    page.fill("#id_contact_name", "דנה לוי")
    page.fill("#id_contact_email", email)
    page.fill("#id_contact_phone", "050-123-4567")
    page.fill("#id_goal", "לקדם הסעות ציבוריות לבתי הספר באזור.")
    page.check("#id_consent")


def submit(page):
    with page.expect_navigation():
        page.click("#submit-id-submit")


def confirmation_link(address: str, timeout: float = 15.0) -> str:
    """The private status link from the confirmation sent to `address`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if message.to == [address]:
                return re.search(r"https?://\S+/request/status/[\w-]+/", message.body)[
                    0
                ]
        time.sleep(0.05)
    raise AssertionError(f"no confirmation reached {address}")


def test_a_hebrew_speaker_requests_follows_writes_and_withdraws(
    page, portal, dialogs, assert_accessible
):
    page.goto(f"{portal.url}/tracks/project-consulting/")
    page.locator('main a[href$="/request/?track=project-consulting"]').click()

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_track")).to_have_value("project-consulting")
    # Only the coalition track asks for member organizations.
    expect(page.locator("#coalition-members")).to_be_hidden()
    assert_accessible(page)

    fill_request(page, email="dana@example.org", registration_number="580045671")
    page.fill("#id_background", HOSTILE)
    submit(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(1)
    expect(page.locator("#id_registration_number")).to_have_attribute(
        "aria-invalid", "true"
    )
    # Everything typed is still there.
    expect(page.locator("#id_registration_number")).to_have_value("580045671")
    expect(page.locator("#id_organization_name")).to_have_value("עמותת שוויון בנגב")
    expect(page.locator("#id_contact_phone")).to_have_value("050-123-4567")
    expect(page.locator("#id_background")).to_have_value(HOSTILE)
    expect(page.locator("#id_consent")).to_be_checked()
    assert_accessible(page)

    summary.locator("a").click()
    expect(page.locator("#id_registration_number")).to_be_focused()
    page.fill("#id_registration_number", VALID_NONPROFIT_NUMBER)
    submit(page)

    expect(page).to_have_url(f"{portal.url}/request/received/")
    reference = page.locator(".reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    assert Consultation.objects.get().reference == reference
    assert_accessible(page)

    page.goto(confirmation_link("dana@example.org"))
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".submitted-data")).to_contain_text(HOSTILE)
    assert_accessible(page)

    page.fill("#id_body", "נא לתקן את מספר הטלפון.")
    with page.expect_navigation():
        page.click("#submit-id-send")
    expect(page.locator(".messages-thread")).to_contain_text("נא לתקן את מספר הטלפון.")
    assert Message.objects.get().direction == "in"

    page.locator('a[href$="/withdraw/"]').click()
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#submit-id-withdraw")
    expect(page.locator('a[href$="/withdraw/"]')).to_have_count(0)
    assert Consultation.objects.get().status == "withdrawn"

    # A link that a mail program cut short opens a page that says why, in
    # Hebrew, and offers a new link.
    link = confirmation_link("dana@example.org")
    response = page.goto(link[:-12] + "/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("הדף לא נמצא")
    expect(page.locator('main a[href$="/request/lost-link/"]')).to_be_visible()
    assert_accessible(page)
    assert dialogs == []


@pytest.mark.parametrize(
    ("prefix", "direction", "track"),
    [("/ar", "rtl", "coalition"), ("/en", "ltr", "local-government")],
)
def test_the_same_request_in_arabic_and_in_english(
    page, portal, dialogs, prefix, direction, track
):
    """Arabic on the coalition track (member rows appear), English on a track
    with formats (the format list appears); hostile and long text stays text."""
    page.goto(f"{portal.url}{prefix}/request/")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("#div_id_track_format")).to_be_hidden()
    page.select_option("#id_track", track)

    fill_request(page, email=f"contact{prefix.strip('/')}@example.org")
    page.fill("#id_organization_name", HOSTILE)
    page.fill("#id_background", "א" * 5000)
    if track == "coalition":
        expect(page.locator("#coalition-members")).to_be_visible()
        page.fill("#id_members-0-name", "Sikkuy")
    else:
        expect(page.locator("#div_id_track_format")).to_be_visible()
        page.select_option("#id_track_format", label="Project Consulting")
    submit(page)

    expect(page).to_have_url(f"{portal.url}{prefix}/request/received/")
    assert REFERENCE.fullmatch(page.locator(".reference").inner_text())
    consultation = Consultation.objects.get()
    assert consultation.organization_as_submitted["name"] == HOSTILE
    assert len(consultation.background) == 4000
    assert consultation.preferred_language == prefix.strip("/")
    assert dialogs == []


def test_over_the_limit_the_hebrew_form_comes_back_with_everything_typed(
    page, live_server, catalog, settings, assert_accessible
):
    """Two colleagues on one office connection: the first request is sent;
    with the limit at one request an hour, the second comes back as the form
    itself, every value still typed, with a message in Hebrew that it was
    not sent and the staff inbox address."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SUBMIT = "1/h"
    # A fresh counter for this test alone (Redis keeps counters for an hour).
    settings.CACHES = {
        **settings.CACHES,
        "browser-limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "browser-rate-limit-test",
        },
    }
    settings.RATELIMIT_USE_CACHE = "browser-limits"
    settings.STAFF_INBOX_EMAIL = "policy-center@example.org"
    page.goto(f"{live_server.url}/request/?track=project-consulting")
    fill_request(page, email="dana@example.org")
    submit(page)
    expect(page).to_have_url(f"{live_server.url}/request/received/")

    page.goto(f"{live_server.url}/request/?track=project-consulting")
    fill_request(page, email="noa@example.org")
    page.fill("#id_background", "ניסינו כבר לפנות למועצה.")
    with page.expect_navigation() as navigation:
        page.click("#submit-id-submit")

    assert navigation.value.status == 429
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    notice = page.locator("#form-refused")
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("יותר מדי ניסיונות: הפנייה שלכם לא נשלחה")
    expect(notice.locator('a[href="mailto:policy-center@example.org"]')).to_be_visible()
    expect(page.locator("#id_organization_name")).to_have_value("עמותת שוויון בנגב")
    expect(page.locator("#id_contact_email")).to_have_value("noa@example.org")
    expect(page.locator("#id_contact_phone")).to_have_value("050-123-4567")
    expect(page.locator("#id_goal")).to_have_value(
        "לקדם הסעות ציבוריות לבתי הספר באזור."
    )
    expect(page.locator("#id_background")).to_have_value("ניסינו כבר לפנות למועצה.")
    expect(page.locator("#id_consent")).to_be_checked()
    assert Consultation.objects.count() == 1
    assert_accessible(page)
