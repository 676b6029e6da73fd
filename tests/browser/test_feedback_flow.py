"""An organization answers the feedback request in Chromium, in Hebrew and in
Arabic: the emailed link opens the form in its language, a mistake is shown
and fixed, the answer is thanked, and a second answer from a stale tab is
refused politely. axe-core checks every state of the page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from consultations.models import Feedback
from consultations.services.followups import feedback_requests_run
from tests.consultations.followup_support import deliver_outbox
from tests.consultations.test_beat_schedule import days_ago_with_business_days
from tests.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEEDBACK_LINK = re.compile(r"https?://\S+/feedback/[\w-]+/")


@pytest.fixture
def portal(live_server, catalog, settings, monkeypatch):
    """The live server, with email links pointing at it; the outbox is
    delivered by the test itself, and rate limits are off (their counters
    outlive the test in Redis)."""
    settings.PORTAL_BASE_URL = live_server.url
    settings.RATELIMIT_ENABLE = False
    monkeypatch.setattr(
        "consultations.services.outbox._schedule_delivery", lambda email_ids: None
    )
    return live_server


def emailed_feedback_link(*, language: str) -> tuple[str, Feedback]:
    consultation = ConsultationFactory(
        status="completed",
        closed_at=days_ago_with_business_days(at_least=4),
        preferred_language=language,
    )
    feedback_requests_run()
    deliver_outbox()
    [message] = [m for m in mail.outbox if m.to == [consultation.contact_email]]
    return FEEDBACK_LINK.search(message.body)[0], consultation


@pytest.mark.parametrize("language", ["he", "ar"])
def test_feedback_in_the_contacts_language(
    page, context, portal, language, assert_accessible
):
    link, consultation = emailed_feedback_link(language=language)
    # Hebrew is the default language, so its links carry no prefix.
    prefix = "" if language == "he" else f"/{language}"
    assert f"{portal.url}{prefix}/feedback/" in link

    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text(consultation.reference)
    assert_accessible(page)

    stale_tab = context.new_page()
    stale_tab.goto(link)

    page.check("#id_reached_goal_1")
    page.fill("#id_comment", "הליווי היה מצוין")
    with page.expect_navigation():
        page.click("#submit-id-send")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#id_comment")).to_have_value("הליווי היה מצוין")
    assert_accessible(page)

    summary.locator("a").first.click()
    expect(page.locator("#id_satisfaction_0")).to_be_focused()
    page.check("#id_satisfaction_3")
    page.check("#id_would_recommend_0")
    with page.expect_navigation():
        page.click("#submit-id-send")
    expect(page.locator(".alert-success")).to_be_visible()
    assert_accessible(page)

    feedback = Feedback.objects.get(consultation=consultation)
    assert (feedback.satisfaction, feedback.reached_goal) == (4, "partly")
    assert (feedback.would_recommend, feedback.comment) == (True, "הליווי היה מצוין")

    stale_tab.check("#id_satisfaction_0")
    stale_tab.check("#id_reached_goal_2")
    stale_tab.check("#id_would_recommend_1")
    with stale_tab.expect_navigation():
        stale_tab.click("#submit-id-send")
    expect(stale_tab.locator(".alert-info")).to_be_visible()
    expect(stale_tab.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(stale_tab)
    feedback.refresh_from_db()
    assert feedback.satisfaction == 4
