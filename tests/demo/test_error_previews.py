"""The demo previews the portal's own error pages at /__errors__/<code>/ (its
DEBUG would show Django's), in the page's language, with the real status;
outside demo mode the address does not exist."""

import importlib

import pytest
from django.urls import clear_url_caches
from django.utils import translation

import shatil_portal.urls

pytestmark = pytest.mark.django_db


def _reload_urls():
    importlib.reload(shatil_portal.urls)
    clear_url_caches()


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    _reload_urls()
    yield
    settings.DEMO_MODE = False
    _reload_urls()


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize(
    ("code", "status", "heading"),
    [
        ("400", 400, "The address could not be read"),
        ("403", 403, "No access to this page"),
        ("404", 404, "Page not found"),
        ("429", 429, "Too many attempts"),
        ("500", 500, "Something went wrong"),
        ("csrf", 403, "The form could not be sent"),
    ],
)
@pytest.mark.parametrize(
    ("prefix", "language", "direction"),
    [("", "he", "rtl"), ("/ar", "ar", "rtl"), ("/en", "en", "ltr")],
)
def test_the_demo_previews_each_error_page_in_the_page_language(
    client, demo_mode, code, status, heading, prefix, language, direction
):
    response = client.get(f"{prefix}/__errors__/{code}/")

    html = response.content.decode()
    assert response.status_code == status
    assert f'lang="{language}" dir="{direction}"' in html
    assert _in(language, heading) in html


def test_an_unknown_error_code_gets_the_portal_s_page_not_found(
    client, settings, demo_mode
):
    """...not DEBUG's technical page, which the demo would otherwise show."""
    settings.DEBUG = True

    response = client.get("/en/__errors__/418/")

    html = response.content.decode()
    assert response.status_code == 404
    assert 'lang="en" dir="ltr"' in html
    assert 'href="/en/request/lost-link/"' in html


def test_outside_demo_mode_there_are_no_error_previews(client, settings):
    assert not settings.DEMO_MODE

    response = client.get("/en/__errors__/500/")

    assert response.status_code == 404
    assert _in("en", "Page not found") in response.content.decode()
