"""Signing in and out of the workspace, and resetting a password by email
through the outbox, in the portal's look and languages."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from consultations.models import OutboundEmail
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "direction"), [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]
)
def test_the_sign_in_page_is_in_the_portals_look(client, language, direction):
    with translation.override(language):
        url = reverse("accounts:login")

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}" dir="{direction}"' in content
    assert 'name="username"' in content
    assert "style=" not in content


def test_signing_in_leads_to_my_requests(client, advisor):
    response = client.post(
        reverse("accounts:login"), {"username": advisor.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:my_requests")


def test_signing_in_returns_to_the_page_asked_for(client, advisor):
    target = reverse("workspace:my_requests") + "?show=closed"

    response = client.post(
        reverse("accounts:login"),
        {"username": advisor.username, "password": PASSWORD, "next": target},
    )

    assert response["Location"] == target


def test_a_wrong_password_is_refused_with_a_message(client, advisor):
    response = client.post(
        reverse("accounts:login"), {"username": advisor.username, "password": "nope"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_signing_out_is_a_post(client, advisor):
    client.force_login(advisor)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_header_offers_sign_in_or_my_requests(client, advisor):
    anonymous = client.get(reverse("tracks:home")).content.decode()
    client.force_login(advisor)
    signed_in = client.get(reverse("tracks:home")).content.decode()

    assert reverse("accounts:login") in anonymous
    assert reverse("workspace:my_requests") in signed_in
    assert reverse("accounts:logout") in signed_in


def test_a_password_reset_is_queued_in_the_outbox_with_the_link_kept_secret(
    client, advisor, eager_celery, django_capture_on_commit_callbacks
):
    with translation.override("ar"):
        url = reverse("accounts:password_reset")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": advisor.email})

    assert response.status_code == 302
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.PASSWORD_RESET)
    assert row.language == "ar"
    assert row.status == OutboundEmail.Status.SENT
    # Once sent, the raw link is gone from the row.
    assert not any(key.startswith("secret_") for key in row.context)
    (email,) = mail.outbox
    assert email.to == [advisor.email]
    link = re.search(r"http://testserver/ar/accounts/reset/\S+/", email.body).group()

    page = client.get(link.removeprefix("http://testserver"), follow=True)
    assert page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0],
        {
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert done.status_code == 302
    advisor.refresh_from_db()
    assert advisor.check_password("a-new-long-passphrase")


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not OutboundEmail.objects.exists()


def test_the_pending_reset_row_holds_the_link_only_under_a_secret_key(client, advisor):
    client.post(reverse("accounts:password_reset"), {"email": advisor.email})

    row = OutboundEmail.objects.get()
    assert set(row.context) == {"first_name", "username", "secret_reset_url"}
    assert "/accounts/reset/" in row.context["secret_reset_url"]
    token = row.context["secret_reset_url"].rstrip("/").rsplit("/", 1)[-1]
    assert token not in row.dedup_key


@pytest.mark.parametrize("language", ["he", "ar", "en"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("password_reset", {}),
        ("password_reset_done", {}),
        ("password_reset_confirm", {"uidb64": "MQ", "token": "no-such-token"}),
        ("password_reset_complete", {}),
    ],
)
def test_the_password_reset_pages_render_in_each_language(
    client, language, name, kwargs
):
    with translation.override(language):
        url = reverse(f"accounts:{name}", kwargs=kwargs)

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert "style=" not in response.content.decode()
