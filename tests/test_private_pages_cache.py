"""Every page that carries personal data or a per-visitor token tells
browsers and proxies to keep no copy: Cache-Control with private and
no-store. The request form keeps its server-side cache for new visitors;
only the response header changes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import request_form_data
from tests.security_support import FEEDBACK_TOKEN, STATUS_TOKEN, build_world

# Each page, as a URL name and its arguments.
PRIVATE_PAGES = [
    ("consultations:request_new", {}),
    ("consultations:request_received", {}),
    ("consultations:request_status", {"token": STATUS_TOKEN}),
    ("consultations:request_withdraw", {"token": STATUS_TOKEN}),
    ("consultations:feedback", {"token": FEEDBACK_TOKEN}),
    ("consultations:lost_link", {}),
]


def _directives(response) -> set[str]:
    return {
        part.strip().lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def _assert_private(response, what) -> None:
    assert {"private", "no-store"} <= _directives(response), (
        what,
        response.get("Cache-Control"),
    )


@pytest.fixture
def world(db, settings, catalog):
    settings.RATELIMIT_ENABLE = False
    return build_world()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_each_private_page_sends_private_no_store(client, world, language):
    # The confirmation shows only in the browser that sent a request.
    with translation.override(language):
        form_url = reverse("consultations:request_new")
        sent = client.post(form_url, request_form_data())
        assert sent.status_code == 302
        for name, kwargs in PRIVATE_PAGES:
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_private(response, url)


@pytest.mark.django_db
def test_posted_answers_of_the_private_pages_send_it_too(client, world):
    """A form sent back with errors shows what was typed."""
    refused = client.post(
        "/en/request/", request_form_data(contact_email="not-an-address")
    )
    lost_link = client.post("/en/request/lost-link/", {"email": "x"})

    assert refused.status_code == 200
    _assert_private(refused, "request form with errors")
    assert lost_link.status_code == 200
    _assert_private(lost_link, "lost-link form with errors")


@pytest.mark.django_db(transaction=True)
def test_the_form_from_the_server_cache_still_sends_private_no_store(
    catalog, settings, django_assert_num_queries
):
    settings.DEBUG = False
    Client().get("/en/request/")  # fills the server's cache

    with django_assert_num_queries(0):
        response = Client().get("/en/request/")

    assert "csrftoken" in response.cookies
    _assert_private(response, "cached request form")
