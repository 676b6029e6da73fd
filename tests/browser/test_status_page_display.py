"""The organization's status page in Hebrew, as a person sees it in
Chromium: left-to-right values keep their order and the page's alignment,
a long email wraps on a small phone at 200% text, and the printout holds the
request and not the page's furniture."""

import pytest

from tests.browser.layout_support import (
    content_right_edge,
    glyph_boxes,
    scrolls_sideways,
)
from tests.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "status-token-for-browser-0123456789abcdefgh"
LONG_EMAIL = "coordination.northern.coalition.team@example-association.org"


@pytest.fixture
def status_url(live_server, catalog, settings):
    settings.RATELIMIT_ENABLE = False
    ConsultationFactory(
        status_token=TOKEN,
        contact_name="דנה לוי",
        contact_email=LONG_EMAIL,
        contact_phone="+972525551234",
    )
    return f"{live_server.url}/request/status/{TOKEN}/"


def test_a_phone_reads_left_to_right_and_aligns_right(
    page, status_url, assert_accessible
):
    """`+972 52-555-1234` shows `+972` to the left of `52-555-1234` (not
    `52-555-1234 972+`), and the value sits at the right edge of its line,
    like the Hebrew values around it."""
    page.goto(status_url)

    phone = page.locator(".submitted-data dd", has_text="52-555-1234")
    prefix, number = glyph_boxes(page, ".submitted-data", ["+972", "52-555-1234"])
    assert prefix["right"] <= number["left"] + 1
    value_right = phone.locator("bdi").evaluate(
        "element => element.getBoundingClientRect().right"
    )
    phone.evaluate("element => element.id = 'phone-value'")
    assert abs(value_right - content_right_edge(page, "#phone-value")) <= 1
    assert_accessible(page)


def test_a_long_email_wraps_on_a_small_phone_at_200_percent_text(page, status_url):
    """A 60-character email at 320 px and 200% text wraps inside the page
    rather than widening it."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(status_url)
    # As the browser's text size setting does (CSSOM, allowed by the CSP).
    page.evaluate("document.documentElement.style.fontSize = '200%'")

    assert page.get_by_text(LONG_EMAIL).is_visible()
    assert not scrolls_sideways(page)


def test_the_printout_holds_the_request_not_the_page_furniture(page, status_url):
    """Printed in Hebrew: the reference, the status, the details and the
    timeline, right to left, the details first; no menu, message form or
    withdraw button."""
    page.goto(status_url)
    page.emulate_media(media="print")

    for furniture in (
        ".main-nav",
        ".site-footer",
        "form textarea",
        "a[href$='/withdraw/']",
    ):
        assert not page.locator(furniture).first.is_visible(), furniture
    for content in ("h1", "p.lead", ".submitted-data", ".timeline"):
        assert page.locator(content).first.is_visible(), content
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    details_top = page.locator(".submitted-data").bounding_box()["y"]
    assert details_top < page.locator(".timeline").bounding_box()["y"]
