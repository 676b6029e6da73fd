"""The focus indicator as a keyboard user sees it, in Chromium, in Hebrew:
on a field, a button and the menu links on the green bar (wide and on a
phone), focus changes a ring of pixels around the control, in a colour with
at least 3:1 contrast against what surrounds it (WCAG 2.4.7 and 1.4.11)."""

from collections import Counter

import pytest

from tests.browser.layout_support import contrast, png_pixels

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARGIN = 6


def focus_change(page, locator) -> tuple[int, float]:
    """How many pixels around the control change when it gets keyboard
    focus, and the contrast of the indicator's colour against the same
    pixels unfocused."""
    locator.scroll_into_view_if_needed()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    box = locator.bounding_box()
    clip = {
        "x": box["x"] - MARGIN,
        "y": box["y"] - MARGIN,
        "width": box["width"] + 2 * MARGIN,
        "height": box["height"] + 2 * MARGIN,
    }
    before = png_pixels(page.screenshot(clip=clip, animations="disabled"))
    # Reach the control by the keyboard: from it, back one step and forward.
    locator.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert locator.evaluate("element => element === document.activeElement")
    after = png_pixels(page.screenshot(clip=clip, animations="disabled"))

    changed = [
        (old, new)
        for old_row, new_row in zip(before, after, strict=True)
        for old, new in zip(old_row, new_row, strict=True)
        if sum(abs(a - b) for a, b in zip(old, new, strict=True)) > 60
    ]
    # The indicator: of the colours that cover at least a 1 px ring, the one
    # that stands out most from what was there before (a button may also
    # change its fill, which is not the indicator).
    ring = box["width"] + box["height"]
    colours = Counter(new for _, new in changed)
    ratios = [
        contrast(
            colour,
            Counter(old for old, new in changed if new == colour).most_common(1)[0][0],
        )
        for colour, count in colours.items()
        if count >= 2 * ring
    ]
    return len(changed), max(ratios, default=1.0)


def assert_visible_focus(page, selector):
    locator = page.locator(selector).first
    box = locator.bounding_box()
    changed, ratio = focus_change(page, locator)
    # At least a 2 px ring around the control.
    assert changed >= 2 * 2 * (box["width"] + box["height"]), (selector, changed)
    assert ratio >= 3, (selector, ratio)


def test_focus_is_visible_on_fields_buttons_and_menu_links(
    page, live_server, catalog, settings, assert_accessible
):
    settings.RATELIMIT_ENABLE = False
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/request/")

    for selector in (
        "#id_contact_email",
        "#id_region",
        "#submit-id-submit",
        ".main-nav .nav-link",
        ".language-switcher a",
    ):
        assert_visible_focus(page, selector)
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    assert_visible_focus(page, ".menu-toggle")
    page.locator(".menu-toggle").click()
    assert_visible_focus(page, "#main-menu .nav-link")
