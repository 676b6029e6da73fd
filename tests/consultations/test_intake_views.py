"""The request form's pages: the form in three languages, errors that keep
what was typed, the honeypot, the one-time key, the rate limit and the
confirmation."""

import random

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation, OutboundEmail
from tests.factories import ConsultationFactory, request_form_data

pytestmark = pytest.mark.django_db

FORM_URL = {"he": "/request/", "ar": "/ar/request/", "en": "/en/request/"}


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Counters live in the shared Redis for an hour; tests that are not
    about the limit switch it off."""
    settings.RATELIMIT_ENABLE = False


def fresh_address() -> str:
    """A client address no earlier run has counted."""
    return (
        f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    )


@pytest.mark.parametrize(
    ("language", "direction", "heading"),
    [
        ("he", "rtl", "Request a consultation"),
        ("ar", "rtl", "Request a consultation"),
        ("en", "ltr", "Request a consultation"),
    ],
)
def test_the_form_opens_in_each_language_with_its_direction(
    client, catalog, language, direction, heading
):
    response = client.get(FORM_URL[language])

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    with translation.override(language):
        assert translation.gettext(heading) in html
    assert 'name="submission_key"' in html
    assert f'value="{language}" ' in html.split('name="preferred_language"')[1][
        :80
    ] or (response.context["form"]["preferred_language"].value() == language)


def test_the_form_page_costs_a_fixed_number_of_queries(
    client, catalog, django_assert_num_queries
):
    """Tracks, their formats, the adjacent areas, the checklist's tools and
    the response policies (what the page promises): five queries."""
    with django_assert_num_queries(5):
        response = client.get("/en/request/?track=coalition")
    assert response.status_code == 200


def test_a_track_page_link_preselects_the_track(client, catalog):
    response = client.get("/en/request/?track=crisis")

    assert '<option value="crisis" selected>' in response.content.decode()


def test_the_page_has_no_inline_script_or_style(client, catalog):
    html = client.get("/en/request/").content.decode()

    assert "style=" not in html
    assert "<script>" not in html
    assert '<script src="/static/js/request_form.js" defer></script>' in html


def test_a_valid_post_saves_the_request_and_redirects_to_the_confirmation(
    client, catalog
):
    response = client.post("/en/request/", request_form_data())

    assert response.status_code == 302
    assert response["Location"] == "/en/request/received/"
    consultation = Consultation.objects.get()
    assert consultation.contact_phone.as_e164 == "+972501234567"
    # The confirmation is found by a signed cookie; no session is written.
    received = response.cookies["request_received"]
    assert received["httponly"] and received["samesite"] == "Lax"
    assert received["max-age"] == 3600
    assert str(consultation.pk) in received.value
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert OutboundEmail.objects.filter(consultation=consultation).count() == 2

    page = client.get(response["Location"])
    html = page.content.decode()
    assert consultation.reference in html
    assert "within 3 business days" in html
    assert reverse("consultations:lost_link") in html


def test_errors_keep_everything_typed_and_are_summarized(client, catalog):
    data = request_form_data(
        registration_number="580045671",
        contact_email="not-an-email",
        goal="<script>alert(1)</script> מטרה",
    )

    response = client.post("/en/request/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert not Consultation.objects.exists()
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert "There are 2 problems in the form." in html
    assert 'href="#id_registration_number"' in html
    assert 'href="#id_contact_email"' in html
    assert 'aria-describedby="id_registration_number_helptext' in html
    assert 'value="580045671"' in html
    assert 'value="not-an-email"' in html
    assert 'value="עמותת שוויון בנגב"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; מטרה</textarea>" in html
    assert "<script>alert(1)" not in html
    assert data["submission_key"] in html


def test_oversized_and_hostile_input_is_refused_without_a_server_error(client, catalog):
    data = request_form_data(
        organization_name="א" * 100_000,
        goal="\x00" * 10,
        contact_phone="+" + "9" * 500,
        track_format="99999999999999999999999",
        adjacent_areas=["' OR 1=1 --"],
        **{"members-TOTAL_FORMS": "1000000", "track": "coalition"},
    )

    response = client.post("/en/request/", data)

    assert response.status_code == 200
    assert not Consultation.objects.exists()


def test_a_filled_honeypot_looks_like_success_but_saves_nothing(client, catalog):
    response = client.post("/en/request/", request_form_data(homepage="buy now"))

    assert response.status_code == 302
    assert response["Location"] == "/en/request/received/"
    assert not Consultation.objects.exists()
    assert not OutboundEmail.objects.exists()
    # Nothing in the session: the confirmation page sends back to the form.
    assert client.get("/en/request/received/")["Location"] == "/en/request/"


def test_a_repeated_post_creates_nothing_and_shows_the_same_confirmation(
    client, catalog
):
    data = request_form_data()
    client.post("/en/request/", data)
    other_browser = type(client)()

    response = other_browser.post("/en/request/", data)

    assert response.status_code == 302
    assert Consultation.objects.count() == 1
    reference = Consultation.objects.get().reference
    assert reference in other_browser.get(response["Location"]).content.decode()


def test_the_confirmation_of_an_urgent_request_promises_one_business_day(
    client, catalog
):
    client.post("/en/request/", request_form_data(track="crisis"))

    html = client.get("/en/request/received/").content.decode()

    assert "within one business day" in html


def test_the_confirmation_page_without_a_request_goes_back_to_the_form(client):
    assert client.get("/request/received/")["Location"] == "/request/"


def test_the_confirmation_is_in_the_page_language(client, catalog):
    client.post("/request/", request_form_data())

    response = client.get("/request/received/")

    assert '<html lang="he" dir="rtl">' in response.content.decode()


def test_posts_with_mistakes_do_not_use_up_the_submission_limit(
    client, catalog, settings
):
    """RATELIMIT_SUBMIT counts only the requests created: a run of posts
    that the form refused, up to their own higher limit, leaves the right
    to send intact."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SUBMIT = "1/h"
    settings.RATELIMIT_SUBMIT_INVALID = "5/h"
    address = fresh_address()
    for _ in range(5):
        refused = client.post("/en/request/", {"goal": "x"}, REMOTE_ADDR=address)
        assert refused.status_code == 200

    response = client.post("/en/request/", request_form_data(), REMOTE_ADDR=address)

    assert response.status_code == 302
    assert Consultation.objects.count() == 1


def test_a_repeated_post_does_not_count_as_a_second_request(client, catalog, settings):
    """A double click answers with the same confirmation and is not counted:
    the next, different request may still be sent."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SUBMIT = "2/h"
    address = fresh_address()
    data = request_form_data()
    for _ in range(3):
        assert client.post("/en/request/", data, REMOTE_ADDR=address).status_code == 302

    response = client.post("/en/request/", request_form_data(), REMOTE_ADDR=address)

    assert response.status_code == 302
    assert Consultation.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "direction"), [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]
)
def test_over_the_submission_limit_the_form_comes_back_as_429_with_everything_typed(
    client, catalog, settings, language, direction
):
    """Once an address has created RATELIMIT_SUBMIT requests, the next one
    is refused with a 429 that is the form itself: every value kept, a
    message in the page's language saying it was not sent and when to send
    it again, and the staff inbox address."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SUBMIT = "2/h"
    settings.STAFF_INBOX_EMAIL = "policy-center@example.org"
    address = fresh_address()
    url = FORM_URL[language]
    for _ in range(2):
        sent = client.post(url, request_form_data(), REMOTE_ADDR=address)
        assert sent.status_code == 302
    data = request_form_data(goal="מטרה שלא תאבד", contact_name="נועה כהן")

    response = client.post(url, data, REMOTE_ADDR=address)

    assert response.status_code == 429
    assert Consultation.objects.count() == 2
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    with translation.override(language):
        assert (
            translation.gettext("Too many attempts: your request was not sent") in html
        )
    assert 'href="mailto:policy-center@example.org"' in html
    assert 'id="request-form"' in html
    assert "מטרה שלא תאבד</textarea>" in html
    assert 'value="נועה כהן"' in html
    assert 'value="עמותת שוויון בנגב"' in html
    assert data["submission_key"] in html
    # Reading the form is not limited, and other addresses are not affected.
    assert client.get(url, REMOTE_ADDR=address).status_code == 200
    assert (
        client.post(url, request_form_data(), REMOTE_ADDR=fresh_address()).status_code
        == 302
    )


def test_too_many_refused_posts_get_a_429_that_keeps_the_form(
    client, catalog, settings
):
    """Posts the form refuses have their own limit, RATELIMIT_SUBMIT_INVALID;
    over it, the answer is the same 429 form with what was typed."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SUBMIT_INVALID = "2/h"
    address = fresh_address()
    for _ in range(2):
        refused = client.post("/en/request/", {"goal": "x"}, REMOTE_ADDR=address)
        assert refused.status_code == 200

    data = request_form_data(contact_email="not-an-email")
    response = client.post("/en/request/", data, REMOTE_ADDR=address)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts: your request was not sent" in html
    assert 'value="not-an-email"' in html
    assert not Consultation.objects.exists()


def test_the_form_still_works_when_the_rate_limit_cache_is_down(
    client, catalog, settings
):
    """A request for help is not refused because Redis is unreachable."""
    settings.RATELIMIT_ENABLE = True
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=caches):
        response = client.post("/en/request/", request_form_data())

    assert response.status_code == 302
    assert Consultation.objects.count() == 1


def test_get_with_a_strange_track_parameter_is_harmless(client, catalog):
    response = client.get("/en/request/", {"track": "<script>" * 1000})

    assert response.status_code == 200
    assert "<script><script>" not in response.content.decode()


def test_only_get_and_post_are_answered(client, catalog):
    assert client.put("/en/request/").status_code == 405


def test_a_request_made_elsewhere_is_not_shown_on_this_browser_confirmation(
    client, catalog
):
    other = ConsultationFactory()
    # The id of someone else's request, without the portal's signature.
    client.cookies["request_received"] = str(other.pk)

    assert client.get("/en/request/received/").status_code == 302


def test_a_refusal_the_form_did_not_foresee_is_a_form_error_with_the_values_kept(
    client, catalog, monkeypatch
):
    """When the service refuses what the form let through, the requester
    sees its reason at the top of the form, with everything typed kept,
    rather than a server error. (The form checks everything the service
    checks today; the service's own consent check stands in for a rule the
    form does not know yet.)"""
    from consultations.services import attachments, intake

    def submit_without_consent(**arguments):
        return intake.consultation_submit(**{**arguments, "consent": False})

    monkeypatch.setattr(attachments, "consultation_submit", submit_without_consent)
    data = request_form_data(goal="מטרה שנשמרת")

    response = client.post("/en/request/", data)

    assert response.status_code == 200
    assert not Consultation.objects.exists()
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Consent to the privacy policy is required." in html
    assert 'value="עמותת שוויון בנגב"' in html
    assert "מטרה שנשמרת</textarea>" in html
    assert data["submission_key"] in html


def test_a_model_check_on_a_field_the_form_lacks_is_shown_too(
    client, catalog, settings
):
    """A refusal by the model's own checks names the model's fields, which
    the form may not have (here a privacy policy version too long for its
    column, a deployment mistake): still a form error, not a server error."""
    settings.PRIVACY_POLICY_VERSION = "v" * 30
    data = request_form_data()

    response = client.post("/en/request/", data)

    assert response.status_code == 200
    assert not Consultation.objects.exists()
    assert 'id="error-summary"' in response.content.decode()
    assert 'value="עמותת שוויון בנגב"' in response.content.decode()
