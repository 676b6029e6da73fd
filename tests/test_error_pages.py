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
    from consultations.views import status_link

    def failing_lookup(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(status_link, "consultation_get_by_status_token", failing_lookup)
    settings.STAFF_INBOX_EMAIL = "policy-center@example.org"
    client.raise_request_exception = False

    response = client.get("/en/request/status/any-token-at-all/")

    html = response.content.decode()
    assert response.status_code == 500
    assert 'lang="en" dir="ltr"' in html
    assert "Something went wrong" in html
    assert 'href="mailto:policy-center@example.org"' in html
    assert "the database went away" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("prefix", "language"), [("", "he"), ("/en", "en")])
def test_a_submission_the_database_could_not_take_says_it_was_not_saved(
    client, catalog, settings, prefix, language
):
    """With the database really unreachable for the submission (the
    connection pointed at a closed port), the answer is a 503 saying the
    request was not saved, that sending it again is safe, and the staff
    inbox address; and nothing was saved."""
    from django.db import connection

    from consultations.models import Consultation
    from tests.factories import request_form_data

    settings.RATELIMIT_ENABLE = False
    settings.STAFF_INBOX_EMAIL = "policy-center@example.org"
    client.raise_request_exception = False
    data = request_form_data()
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.post(f"{prefix}/request/", data)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    html = response.content.decode()
    assert response.status_code == 503
    assert f'lang="{language}"' in html
    assert _in(language, "Your request was not saved") in html
    assert _in(
        language,
        "Sending it again is safe: the same request is never recorded twice. "
        "Go back with your browser's Back button, where what you typed is "
        "usually still there, and send the form again in a few minutes.",
    ) in " ".join(html.split())
    assert 'href="mailto:policy-center@example.org"' in html
    assert not Consultation.objects.exists()

    # Once the database answers again, sending the same form again works.
    assert client.post(f"{prefix}/request/", data).status_code == 302
    assert Consultation.objects.count() == 1
