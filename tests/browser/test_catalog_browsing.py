"""A visitor browses the catalog in Chromium, in Hebrew, Arabic and English.

axe-core (WCAG 2.1 A and AA) checks every page on the way. Live-server tests
flush the database, so the catalog fixture loads the tracks again.
"""

import pytest
from playwright.sync_api import expect

from tracks.models import Track

PREFIXES = {"he": "", "ar": "/ar", "en": "/en"}
DIRECTIONS = {"he": "rtl", "ar": "rtl", "en": "ltr"}


def _expect_language(page, language):
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", DIRECTIONS[language])


def _switch_language(page, language):
    page.locator(f'header a[hreflang="{language}"]').click()
    _expect_language(page, language)


def _expect_no_horizontal_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_browses_the_catalog_in_three_languages(
    page, live_server, catalog, assert_accessible
):
    track = Track.objects.active().first()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    track_url = {
        code: f"{live_server.url}{prefix}/tracks/{track.slug}/"
        for code, prefix in PREFIXES.items()
    }

    page.goto(live_server.url + "/")
    _expect_language(page, "he")
    assert_accessible(page)
    for language in ("ar", "en", "he"):
        _switch_language(page, language)
        expect(page).to_have_url(f"{live_server.url}{PREFIXES[language]}/")
        if language != "he":
            assert_accessible(page)

    page.locator(".track-card a").first.click()
    expect(page).to_have_url(track_url["he"])
    expect(page.locator("h1")).to_have_text(track.title_he)
    assert_accessible(page)

    for language, title in [("ar", track.title_ar), ("en", track.title_en)]:
        _switch_language(page, language)
        expect(page).to_have_url(track_url[language])
        expect(page.locator("h1")).to_have_text(title)
        assert_accessible(page)

    _switch_language(page, "he")
    expect(page).to_have_url(track_url["he"])
    expect(page.locator("h1")).to_have_text(track.title_he)

    # Fonts, styles and scripts all come from the portal itself: no CDN.
    assert [url for url in requested if not url.startswith(live_server.url)] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_legal_pages_read_well_on_a_small_phone_in_three_languages(
    page, live_server, catalog, assert_accessible
):
    """The statement and the policy, reached from the footer, at 320 px wide."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    _expect_no_horizontal_scrolling(page)

    for path, languages in [
        ("/accessibility/", ("he", "ar", "en")),
        ("/privacy/", ("en", "ar", "he")),
    ]:
        page.locator(f'footer a[href$="{path}"]').click()
        for index, language in enumerate(languages):
            if index:
                _switch_language(page, language)
            expect(page).to_have_url(f"{live_server.url}{PREFIXES[language]}{path}")
            _expect_language(page, language)
            _expect_no_horizontal_scrolling(page)
            assert_accessible(page)
