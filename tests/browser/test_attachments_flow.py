"""An organization attaches files in Chromium, in Hebrew: a program renamed
.pdf is refused with its reason while everything typed is kept, the request
goes out with its file, and the status page lists it and takes another with
a message. axe-core checks the form with the refusal and the status page."""

import pytest
from playwright.sync_api import expect

from consultations.models import Attachment, Consultation
from tests.browser.test_request_flow import confirmation_link, fill_request, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100


@pytest.fixture
def portal(live_server, catalog, celery_worker, settings):
    settings.PORTAL_BASE_URL = live_server.url
    settings.RATELIMIT_ENABLE = False
    return live_server


def test_files_attached_on_the_form_and_the_status_page_are_listed(
    page, portal, assert_accessible
):
    page.goto(f"{portal.url}/request/?track=project-consulting")
    fill_request(page, email="files@example.org")
    page.set_input_files(
        "#id_attachments",
        files=[
            {"name": "תוכנית.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "כלי.pdf", "mimeType": "application/pdf", "buffer": ELF},
        ],
    )
    submit(page)

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("״כלי.pdf״ הוא תוכנה")
    expect(summary).to_contain_text("בחרו אותם שוב")
    expect(page.locator("#id_organization_name")).to_have_value("עמותת שוויון בנגב")
    expect(page.locator("#id_consent")).to_be_checked()
    assert_accessible(page)
    assert not Consultation.objects.exists()

    page.set_input_files(
        "#id_attachments",
        files=[{"name": "תוכנית.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page)
    expect(page).to_have_url(f"{portal.url}/request/received/")

    page.goto(confirmation_link("files@example.org"))
    files = page.locator(".attachments")
    expect(files).to_contain_text("תוכנית.pdf")
    assert_accessible(page)

    page.fill("#id_body", "מצורף סיכום הפגישה.")
    page.set_input_files(
        "#id_attachments",
        files=[
            {
                "name": "סיכום.txt",
                "mimeType": "text/plain",
                "buffer": "סיכום הפגישה\n".encode(),
            }
        ],
    )
    with page.expect_navigation():
        page.click("#submit-id-send")
    expect(files).to_contain_text("סיכום.txt")
    expect(files.locator("bdi")).to_have_count(2)
    assert sorted(Attachment.objects.values_list("name", flat=True)) == [
        "סיכום.txt",
        "תוכנית.pdf",
    ]
    assert_accessible(page)
