"""A reply by email, in Hebrew: appended to a real Dovecot, read by the
beat task on the real Celery worker, it shows on the request's status page
in Chromium without its quoted part, with its file listed; axe-core checks
the page."""

import time

import pytest
from playwright.sync_api import expect

from consultations.models import Message
from consultations.services.notices import consultation_reply_to
from consultations.tasks import inbound_mail_fetch_task
from tests.consultations.inbound_support import PDF, reply_address, reply_mail
from tests.consultations.test_inbound_imap import append, imap_folder  # noqa: F401
from tests.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS_TOKEN = "reply-by-email-status-token-0000000000"


def test_a_reply_by_email_shows_on_the_status_page_without_its_quote(
    page,
    live_server,
    catalog,
    celery_worker,
    settings,
    imap_server,
    imap_folder,  # noqa: F811
    assert_accessible,
):
    settings.PORTAL_BASE_URL = live_server.url
    settings.RATELIMIT_ENABLE = False
    consultation = ConsultationFactory(status_token=STATUS_TOKEN)
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    append(
        imap_server,
        imap_folder,
        reply_mail(
            to=reply_address(consultation),
            sender=consultation.contact_email,
            files=(("תקציב 2027.pdf", PDF, "application/pdf"),),
        ),
    )

    inbound_mail_fetch_task.delay()
    deadline = time.monotonic() + 30
    while not Message.objects.filter(consultation=consultation).exists():
        assert time.monotonic() < deadline, "the worker did not store the reply"
        time.sleep(0.2)

    page.goto(f"{live_server.url}/request/status/{STATUS_TOKEN}/")
    main = page.locator("main")
    expect(main).to_contain_text("תודה, מצורף התקציב.")
    expect(main).not_to_contain_text("הודעה מהיועצת")
    expect(main).not_to_contain_text("כתב:")
    expect(page.locator(".attachments")).to_contain_text("תקציב 2027.pdf")
    assert_accessible(page)
