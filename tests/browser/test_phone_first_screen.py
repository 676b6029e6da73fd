"""The home page on a phone (390 x 844), in Hebrew, in Chromium: the menu
folds behind a named button that opens by keyboard and by tap, and the
consulting tracks come up on the first screen (within two in Arabic at
200% text)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_menu_folds_and_the_tracks_come_up(
    browser, live_server, catalog, assert_accessible
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")

    toggle = page.locator(".menu-toggle")
    menu = page.locator("#main-menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_accessible_name("תפריט")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    first_track = page.locator(".track-card").first.bounding_box()
    assert first_track["y"] < 844, "the first track is below the first screen"

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    assert_accessible(page)
    toggle.tap()
    expect(menu).to_be_hidden()

    page.reload()
    for _ in range(8):
        page.keyboard.press("Tab")
        if toggle.evaluate("element => element === document.activeElement"):
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.locator("a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()

    # Arabic at 200% text: the tracks still start within two screens.
    page.goto(f"{live_server.url}/ar/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    first_track = page.locator(".track-card").first.bounding_box()
    assert first_track["y"] < 2 * 844, first_track
    context.close()
