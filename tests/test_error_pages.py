"""Error pages speak the visitor's language, in the portal's look, and say
what to do next: a broken status link, a form refused for its CSRF cookie, a
page an account may not open, an unreadable address, a server error."""

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize(
    ("prefix", "language", "direction"),
    [("", "he", "rtl"), ("/ar", "ar", "rtl"), ("/en", "en", "ltr")],
)
def test_a_broken_status_link_offers_a_new_one_in_the_page_language(
    client, settings, prefix, language, direction
):
    settings.RATELIMIT_ENABLE = False

    response = client.get(f"{prefix}/request/status/cut-short-by-a-mail-program/")

    html = response.content.decode()
    assert response.status_code == 404
    assert f'lang="{language}" dir="{direction}"' in html
    assert _in(language, "Page not found") in html
    assert f'href="{prefix}/request/lost-link/"' in html


@pytest.mark.parametrize(("prefix", "language"), [("", "he"), ("/en", "en")])
def test_a_form_refused_for_its_csrf_cookie_says_what_to_do(prefix, language):
    response = Client(enforce_csrf_checks=True).post(f"{prefix}/request/", {})

    html = response.content.decode()
    assert response.status_code == 403
    assert _in(language, "The form could not be sent") in html
    assert (
        _in(language, "Make sure your browser accepts cookies from this site.") in html
    )
    assert "CSRF verification failed" not in html


def test_a_page_the_account_may_not_open_is_refused_in_hebrew(client):
    client.force_login(UserFactory())

    response = client.get("/workspace/dashboard/")

    assert response.status_code == 403
    assert _in("he", "No access to this page") in response.content.decode()


def test_an_unreadable_address_is_refused_in_the_page_language(client):
    response = client.get("/ar/?q=%00")

    assert response.status_code == 400
    assert _in("ar", "The address could not be read") in response.content.decode()


def test_a_server_error_is_answered_in_the_page_language(client, monkeypatch, settings):
    from consultations.views import public

    def failing_lookup(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(public, "consultation_get_by_status_token", failing_lookup)
    settings.STAFF_INBOX_EMAIL = "policy-center@example.org"
    client.raise_request_exception = False

    response = client.get("/en/request/status/any-token-at-all/")

    html = response.content.decode()
    assert response.status_code == 500
    assert 'lang="en" dir="ltr"' in html
    assert "Something went wrong" in html
    assert 'href="mailto:policy-center@example.org"' in html
    assert "the database went away" not in html
