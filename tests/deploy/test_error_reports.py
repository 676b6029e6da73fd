"""Server errors reach someone: the admins named in DJANGO_ADMINS get
Django's error email, and Sentry gets the error when SENTRY_DSN is set,
without personal data or the secret token of the link that failed."""

import json

import pytest
import sentry_sdk
from django.core import mail
from django.test import Client
from sentry_sdk.transport import Transport

from consultations.views import status_link
from shatil_portal.error_reports import before_send, init_sentry
from tests.deploy.support import load_settings

pytestmark = pytest.mark.django_db

TOKEN = "Zr4xS3cr3tT0k3n-abcdefghijklmnop"


def test_admins_come_from_a_setting():
    admins = load_settings(
        {"DJANGO_ADMINS": "Dana Levi <dana@example.org>, ops@example.org"},
        "s.ADMINS",
    )

    assert admins == [
        ["Dana Levi", "dana@example.org"],
        ["ops@example.org", "ops@example.org"],
    ]
    assert load_settings({}, "s.ADMINS") == []


def test_an_admins_value_that_is_not_an_address_stops_start_up():
    error = load_settings({"DJANGO_ADMINS": "Dana Levi"}, "s.ADMINS")

    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "DJANGO_ADMINS" in error


def _raise_on_the_status_page(monkeypatch):
    def broken(*, token):
        raise RuntimeError(f"failed on /request/status/{token}/")

    monkeypatch.setattr(status_link, "consultation_get_by_status_token", broken)


def test_a_server_error_is_emailed_to_the_admins(settings, monkeypatch):
    settings.ADMINS = [("Dana Levi", "dana@example.org")]
    settings.DEBUG = False
    _raise_on_the_status_page(monkeypatch)

    response = Client(raise_request_exception=False).get(f"/request/status/{TOKEN}/")

    assert response.status_code == 500
    assert [message.to for message in mail.outbox] == [["dana@example.org"]]


class CapturingTransport(Transport):
    def __init__(self):
        super().__init__()
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.headers.get("type") == "event":
                self.events.append(json.loads(item.payload.get_bytes()))


@pytest.fixture
def sentry():
    """Sentry as the settings start it with a DSN; the events it would send
    are kept here instead of going out."""
    init_sentry(dsn="https://key@sentry.invalid/1", environment="test", release="")
    transport = CapturingTransport()
    sentry_sdk.get_client().transport = transport
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def test_sentry_gets_the_error_without_personal_data_or_the_token(sentry, monkeypatch):
    _raise_on_the_status_page(monkeypatch)

    response = Client(raise_request_exception=False).post(
        f"/request/status/{TOKEN}/?next=/feedback/{TOKEN}/",
        {"body": "Dana Levi, 050-123-4567"},
        HTTP_COOKIE="sessionid=abc",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    (event,) = sentry.events
    text = json.dumps(event)
    assert "RuntimeError" in text
    assert "failed on /request/status/[token]/" in text
    assert TOKEN not in text
    assert "sessionid" not in text
    assert "203.0.113.9" not in text
    assert "Dana Levi" not in text


def test_sentry_starts_only_with_a_dsn_and_without_personal_data():
    client = "__import__('sentry_sdk').get_client()"
    collection = f"{client}.options['data_collection']"
    expression = (
        f"[{client}.is_active(), {collection}['user_info'],"
        f" {collection}['http_bodies']]"
    )

    assert load_settings({}, f"{client}.is_active()") is False
    assert load_settings(
        {"SENTRY_DSN": "https://key@sentry.invalid/1"}, expression
    ) == [
        True,
        False,
        [],
    ]


def test_before_send_masks_tokens_everywhere_in_the_event():
    event = {
        "request": {
            "url": f"https://portal/ar/feedback/{TOKEN}/",
            "headers": {"Referer": f"https://portal/request/status/{TOKEN}/withdraw/"},
            "query_string": f"next=%2Frequest%2Fstatus%2F{TOKEN}%2F",
        },
        "breadcrumbs": {"values": [{"message": f"GET /feedback/{TOKEN}/"}]},
    }

    assert TOKEN not in json.dumps(before_send(event, {}))
