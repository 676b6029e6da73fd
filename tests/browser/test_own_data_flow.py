"""An organization takes care of its own data from its status page, in
Hebrew, in Chromium: it corrects its contact details (a mistake first, told
in Hebrew with what was typed kept), downloads all it gave, and asks for its
data to be deleted. axe-core checks each page."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from consultations.models import Consultation, DeletionRequest, StatusChange
from tests.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "status-token-for-own-data-0123456789abcdefg"


@pytest.fixture
def status_url(live_server, catalog, settings):
    settings.RATELIMIT_ENABLE = False
    ConsultationFactory(
        status_token=TOKEN,
        contact_name="דנה לוי",
        contact_email="dana@example.org",
        contact_phone="+972525551234",
    )
    return f"{live_server.url}/request/status/{TOKEN}/"


def test_correct_download_and_ask_for_deletion(page, status_url, assert_accessible):
    page.goto(status_url)
    assert_accessible(page)

    # Correct: a wrong phone is refused in Hebrew, the name typed is kept.
    page.get_by_role("link", name="תיקון פרטי הקשר שלכם").click()
    expect(page.locator("#id_contact_email")).to_have_value("dana@example.org")
    assert_accessible(page)
    page.fill("#id_contact_name", "דנה לוי־כהן")
    page.fill("#id_contact_phone", "12")
    page.get_by_role("button", name="שמירת הפרטים המתוקנים").click()
    expect(page.locator("#id_contact_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_contact_name")).to_have_value("דנה לוי־כהן")
    assert_accessible(page)
    page.fill("#id_contact_phone", "052-555-9999")
    page.get_by_role("button", name="שמירת הפרטים המתוקנים").click()
    expect(page.get_by_text("פרטי הקשר שלכם תוקנו, והצוות עודכן.")).to_be_visible()
    expect(page.get_by_text("תיקנתם את פרטי הקשר שלכם.")).to_be_visible()
    expect(page.locator(".submitted-data")).to_contain_text("דנה לוי־כהן")
    consultation = Consultation.objects.get()
    assert consultation.contact_phone.as_e164 == "+972525559999"
    assert StatusChange.objects.filter(event="contact_corrected").exists()

    # Download: a ZIP with the data as given.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="הורדת כל מה שמסרתם (ZIP: נתונים וקבצים)").click()
    download = download_info.value
    assert download.suggested_filename == f"{consultation.reference}-data.zip"
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    data = json.loads(archive.read("data.json"))
    assert data["contact"]["name"] == "דנה לוי־כהן"

    # Ask for deletion: confirm with the box, then a task for staff.
    page.get_by_role("link", name="בקשה למחיקת הנתונים שלכם").click()
    assert_accessible(page)
    page.get_by_role("button", name="שליחת בקשת מחיקה").click()
    expect(
        page.get_by_text("יש לסמן את התיבה כדי לאשר את בקשת המחיקה.")
    ).to_be_visible()
    page.get_by_label("כן, אני מבקש.ת למחוק את הפרטים האישיים של פנייה זו.").check()
    page.get_by_role("button", name="שליחת בקשת מחיקה").click()
    expect(
        page.get_by_text("בקשת המחיקה שלכם נשלחה לצוות. נשיב בדוא״ל.")
    ).to_be_visible()
    expect(
        page.get_by_text("ביקשתם למחוק את הנתונים שלכם. הצוות ישיב עד")
    ).to_be_visible()
    assert DeletionRequest.objects.get().status == DeletionRequest.Status.PENDING
    assert_accessible(page)
