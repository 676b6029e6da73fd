"""The request form served whole from the cache to new visitors, with a CSRF
token and a submission key of each request's own.

These tests commit (transactional_db): inside a transaction the cache is
bypassed.
"""

import re

import pytest
from django.test import Client

from consultations.views.public import (
    CSRF_TOKEN_PLACEHOLDER,
    SUBMISSION_KEY_PLACEHOLDER,
)
from tests.factories import UserFactory
from tracks.models import Track

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

FORM_PATH = "/en/request/"


@pytest.fixture(autouse=True)
def _caching_on(settings):
    settings.DEBUG = False


def _value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match[1]


def test_each_new_visitor_gets_a_token_and_a_key_of_their_own(
    django_assert_num_queries,
):
    first = Client().get(FORM_PATH).content.decode()
    client = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        response = client.get(FORM_PATH)
    html = response.content.decode()

    assert "Cookie" in response["Vary"]
    assert "csrftoken" in response.cookies
    assert CSRF_TOKEN_PLACEHOLDER not in html
    assert SUBMISSION_KEY_PLACEHOLDER not in html
    assert _value(html, "csrfmiddlewaretoken") != _value(first, "csrfmiddlewaretoken")
    assert _value(html, "submission_key") != _value(first, "submission_key")
    again = client.get(FORM_PATH).content.decode()
    assert _value(again, "submission_key") != _value(html, "submission_key")

    # The token is accepted with the cookie set alongside it: the post gets
    # past the CSRF check to the form's validation.
    posted = client.post(
        FORM_PATH, {"csrfmiddlewaretoken": _value(html, "csrfmiddlewaretoken")}
    )
    assert posted.status_code == 200
    assert Client(enforce_csrf_checks=True).post(FORM_PATH, {}).status_code == 403


def test_a_known_track_is_preselected_and_an_unknown_one_is_not():
    html = Client().get(FORM_PATH + "?track=local-government").content.decode()
    cached = Client().get(FORM_PATH + "?track=local-government").content.decode()
    unknown = Client().get(FORM_PATH + "?track=no-such-track").content.decode()

    assert 'value="local-government" selected' in html
    assert 'value="local-government" selected' in cached
    assert 'value="local-government" selected' not in unknown


def test_a_track_edit_shows_on_the_cached_form_at_once():
    Client().get(FORM_PATH)
    track = Track.objects.get(slug="local-government")

    track.title_en = "Working with councils"
    track.save()

    assert "Working with councils" in Client().get(FORM_PATH).content.decode()


def test_a_visitor_with_a_session_gets_the_form_rendered_for_them():
    Client().get(FORM_PATH)
    client = Client()
    client.force_login(UserFactory())

    html = client.get(FORM_PATH).content.decode()

    assert CSRF_TOKEN_PLACEHOLDER not in html
    assert SUBMISSION_KEY_PLACEHOLDER not in html
    assert _value(html, "csrfmiddlewaretoken")
    assert _value(html, "submission_key")
