"""The public catalog pages in Hebrew (/), Arabic (/ar/) and English (/en/)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tracks.models import AdjacentArea, Track, TrackFormat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

TRACK_PATH = "/tracks/local-government/"
PAGES = ["/", TRACK_PATH, "/accessibility/", "/privacy/"]
LANGUAGES = {
    "he": ("", '<html lang="he" dir="rtl">'),
    "ar": ("/ar", '<html lang="ar" dir="rtl">'),
    "en": ("/en", '<html lang="en" dir="ltr">'),
}
SWITCHER_LINK = re.compile(r'<a href="(?P<href>[^"]+)" hreflang="(?P<lang>[a-z]+)"')


def _url(language, page):
    return LANGUAGES[language][0] + page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_with_the_languages_lang_and_dir(client, page, language):
    response = client.get(_url(language, page))

    assert response.status_code == 200
    assert LANGUAGES[language][1] in response.content.decode()
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_the_language_switcher_links_to_the_same_page_in_the_other_languages(
    client, page, language
):
    html = client.get(_url(language, page)).content.decode()

    links = {m["lang"]: m["href"] for m in SWITCHER_LINK.finditer(html)}

    others = [code for code in LANGUAGES if code != language]
    assert links == {code: _url(code, page) for code in others}
    assert 'aria-current="true">' in html


def test_the_home_page_shows_the_hebrew_track_titles_from_the_database(client):
    html = client.get("/").content.decode()

    for track in Track.objects.active():
        assert track.title_he in html
        assert f'href="/tracks/{track.slug}/"' in html
    assert "العمل مع السلطات المحلية" not in html


def test_the_arabic_and_english_home_pages_show_the_tracks_in_their_language(
    client,
):
    arabic = client.get("/ar/").content.decode()
    english = client.get("/en/").content.decode()

    for track in Track.objects.active():
        assert track.title_ar in arabic
        assert f'href="/ar/tracks/{track.slug}/"' in arabic
        assert track.title_en in english
        assert f'href="/en/tracks/{track.slug}/"' in english


def test_the_home_page_leaves_out_inactive_tracks(client, make_track):
    make_track(title_he="מסלול שנסגר", is_active=False)

    assert "מסלול שנסגר" not in client.get("/").content.decode()


def test_the_home_page_marks_the_crisis_track_as_time_sensitive(client):
    html = client.get("/en/").content.decode()

    assert html.count("Time-sensitive") == 1


def test_the_home_page_calls_to_request_a_consultation(client):
    """The call to action leads to the request form in the page's language."""
    for language in LANGUAGES:
        html = client.get(_url(language, "/")).content.decode()

        with translation.override(language):
            form_url = reverse("consultations:request_new")
        assert f'class="btn btn-primary btn-lg" href="{form_url}"' in html


def test_a_track_page_shows_its_description_formats_and_adjacent_areas(client):
    track = Track.objects.get(slug="local-government")

    html = client.get("/en" + TRACK_PATH).content.decode()

    first_paragraph = track.description_en.split("\n\n")[0]
    assert f"<p>{first_paragraph}</p>" in html.replace("&#x27;", "'")
    for track_format in track.formats.all():
        assert track_format.title_en in html
    for area in AdjacentArea.objects.active():
        assert area.title_en in html
    assert 'href="/en/request/?track=local-government"' in html


@pytest.mark.parametrize("prefix", ["", "/ar", "/en"])
def test_an_unknown_track_is_not_found(client, prefix):
    assert client.get(f"{prefix}/tracks/no-such-track/").status_code == 404


def test_an_inactive_track_is_not_found(client):
    Track.objects.filter(slug="coalition").update(is_active=False)

    assert client.get("/tracks/coalition/").status_code == 404


def test_the_accessibility_statement_names_the_standard_and_the_coordinator(
    client, settings
):
    settings.ACCESSIBILITY_COORDINATOR = {
        "name": "Dana Levi",
        "email": "access@example.org",
        "phone": "03-555 1234",
    }

    html = client.get("/en/accessibility/").content.decode()

    assert "IS 5568" in html
    assert "(Service Accessibility Adjustments) Regulations, 2013" in html
    assert "Dana Levi" in html
    assert 'href="tel:035551234"' in html
    assert 'href="mailto:access@example.org"' in html
    assert "This statement was last updated on" in html


def test_the_accessibility_statement_leaves_out_an_empty_name_and_phone(
    client, settings
):
    settings.ACCESSIBILITY_COORDINATOR = {
        "name": "",
        "email": "access@example.org",
        "phone": "",
    }

    html = client.get("/en/accessibility/").content.decode()

    assert 'href="mailto:access@example.org"' in html
    assert "tel:" not in html
    assert "<dt>Phone</dt>" not in html
    assert "<dt>Accessibility coordinator</dt>" not in html


def test_the_privacy_policy_states_the_retention_period_and_its_version(
    client, settings
):
    settings.RETENTION_MONTHS = 36
    settings.PRIVACY_POLICY_VERSION = "2027-01"
    settings.STAFF_INBOX_EMAIL = "privacy@example.org"

    html = client.get("/en/privacy/").content.decode()

    assert "for 36 months after the request is closed" in html
    assert "Policy version: 2027-01." in html
    assert 'href="mailto:privacy@example.org"' in html
    # Who sees a crisis request: tests/consultations/test_crisis_visibility.py.
    assert "seen only by the coordinators and by the advisor assigned to it" in html


def test_the_privacy_policy_speaks_of_one_month_in_the_singular(client, settings):
    settings.RETENTION_MONTHS = 1

    html = client.get("/en/privacy/").content.decode()

    assert "for 1 month after the request is closed" in html


def _add_tracks(make_track, count):
    for _ in range(count):
        track = make_track()
        TrackFormat.objects.create(
            track=track, slug="workshop", title_he="סדנה", title_ar="ورشة", title_en="W"
        )


@pytest.mark.parametrize(
    ("page", "queries"),
    # The home page also reads the response policies (its promise).
    [("/", 2), (TRACK_PATH, 3), ("/accessibility/", 0), ("/privacy/", 0)],
)
def test_each_page_makes_the_same_few_queries_however_many_tracks_exist(
    client, django_assert_num_queries, make_track, page, queries
):
    with django_assert_num_queries(queries):
        assert client.get(page).status_code == 200

    _add_tracks(make_track, 10)

    with django_assert_num_queries(queries):
        assert client.get(page).status_code == 200
