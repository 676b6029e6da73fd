"""An advisor's workspace on a phone, in Hebrew, in Chromium: "My requests"
fits a 360 px screen with every request's status in view, and the request
page keeps a phone number in its left-to-right order, aligned right."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import ADVISORS_GROUP
from tests.browser.layout_support import (
    content_right_edge,
    glyph_boxes,
    scrolls_sideways,
)
from tests.consultations.conftest import create_staff_groups
from tests.factories import (
    AdvisorProfileFactory,
    ConsultationFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Consultation.Status


@pytest.fixture
def advisor_page(page, live_server, catalog):
    """The page, signed in as an advisor with three open requests."""
    create_staff_groups()
    advisor = AdvisorProfileFactory(
        user=UserFactory(first_name="Yael", groups=[ADVISORS_GROUP])
    ).user
    now = timezone.now()
    for index, status in enumerate(
        [Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_FOR_ORGANIZATION]
    ):
        ConsultationFactory(
            advisor=advisor,
            status=status,
            organization=OrganizationFactory(
                name=f"עמותת הקואליציה הארצית לצדק חברתי ולשוויון {index}",
                registration_number="580000003" if index == 0 else "",
            ),
            contact_phone="+972525551234",
            submitted_at=now - timedelta(days=index + 1),
            first_responded_at=None if index == 0 else now,
        )
    client = Client()
    client.force_login(advisor)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_my_requests_fits_a_phone_and_the_phone_number_reads_right(
    advisor_page, live_server, assert_accessible
):
    page = advisor_page
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/workspace/")

    assert not scrolls_sideways(page)
    cards = page.locator(".request-cards > li")
    assert cards.count() == 3
    viewport_width = page.viewport_size["width"]
    for status in page.locator(".request-card-status").all():
        box = status.bounding_box()
        assert status.is_visible()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport_width
        assert status.inner_text().strip()
    assert page.locator(".request-cards time").first.is_visible()
    assert_accessible(page)

    cards.filter(has_text="לשוויון 0").locator("a").click()
    page.wait_for_url("**/workspace/requests/**")
    prefix, number = glyph_boxes(page, ".contact-details", ["+972", "52-555-1234"])
    assert prefix["right"] <= number["left"] + 1
    for value in ("52-555-1234", "580000003"):
        cell = page.locator(".contact-details dd", has_text=value)
        cell.evaluate("element => element.id = 'measured'")
        right = cell.locator("bdi").evaluate(
            "element => element.getBoundingClientRect().right"
        )
        assert abs(right - content_right_edge(page, "#measured")) <= 1
        cell.evaluate("element => element.removeAttribute('id')")
    assert not scrolls_sideways(page)
    assert_accessible(page)
