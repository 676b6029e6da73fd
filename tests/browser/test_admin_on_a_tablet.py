"""The triage list and a request's page are usable on a tablet (768 px, in
Hebrew): the key columns in view, wide tables scrolling inside their own
box, no text under 12 px; and at 1,400 px references stay on one line and the
crisis column is in view."""

import pytest

from tests.factories import (
    PASSWORD,
    AdvisorProfileFactory,
    ConsultationFactory,
    OutboundEmailFactory,
    UserFactory,
)

# Visible text smaller than 12 px, as "font-size text".
_SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const element = node.parentElement;
    if (!element.checkVisibility() || !element.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 12) small.push(`${size} ${node.data.trim().slice(0, 30)}`);
  }
  return small;
}"""


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form [type=submit]").last.click()


def _in_view(page, selector):
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.fixture
def requests_to_triage(catalog):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    advisor = AdvisorProfileFactory(
        user=UserFactory(first_name="יעל", last_name="כהן-לוי")
    ).user
    made = [ConsultationFactory(advisor=advisor) for _ in range(3)]
    for _ in range(3):
        OutboundEmailFactory(consultation=made[0])
    return made


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_triage_list_and_a_request_page_fit_a_tablet(
    page, live_server, requests_to_triage, assert_accessible
):
    page.set_viewport_size({"width": 768, "height": 1024})
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/admin/consultations/consultation/")

    assert page.locator("html").get_attribute("dir") == "rtl"
    for column in ["reference", "organization_name", "status", "advisor_name"]:
        assert _in_view(page, f"#result_list th.column-{column}"), column
        assert _in_view(page, f"#result_list .field-{column}"), column
    assert not page.locator("#nav-sidebar").is_visible()
    small = page.evaluate(_SMALL_TEXT)
    assert small == [], "\n".join(small)
    assert_accessible(page)

    page.goto(
        f"{live_server.url}/admin/consultations/consultation/"
        f"{requests_to_triage[0].pk}/change/"
    )

    small = page.evaluate(_SMALL_TEXT)
    assert small == [], "\n".join(small)
    # The emails' table scrolls within its own box, not the page.
    assert page.evaluate(
        "() => document.scrollingElement.scrollWidth"
        " <= document.scrollingElement.clientWidth"
    )
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_at_1400_px_references_stay_on_one_line_and_every_column_shows(
    page, live_server, requests_to_triage
):
    page.set_viewport_size({"width": 1400, "height": 900})
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/admin/consultations/consultation/")

    line = page.evaluate(
        "() => parseFloat(getComputedStyle("
        "document.querySelector('#result_list .field-reference a')).lineHeight)"
    )
    height = page.locator("#result_list .field-reference a").first.bounding_box()
    assert height["height"] < 1.5 * line
    assert _in_view(page, "#result_list th.column-is_crisis")
