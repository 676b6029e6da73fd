"""The private status page, its message and withdraw forms, and the lost-link
page: reached only by the token, rate-limited, and showing the requester what
they gave and nothing more."""

import random
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from consultations.models import (
    CoalitionMember,
    Consultation,
    InternalNote,
    Message,
    OutboundEmail,
)
from tests.factories import (
    ConsultationFactory,
    MessageFactory,
    StatusChangeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKEN = "status-token-for-tests-0123456789abcdefghij"
STATUS_URL = f"/en/request/status/{TOKEN}/"
WITHDRAW_URL = f"/en/request/status/{TOKEN}/withdraw/"


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def consultation(catalog):
    return ConsultationFactory(
        status_token=TOKEN,
        contact_name="Dana Levi",
        contact_email="dana@example.org",
        contact_phone="+972523456789",
        goal="Advance a bylaw on accessible parks.",
    )


def fresh_address() -> str:
    return ".".join(["10", *(str(random.randint(1, 254)) for _ in range(3))])


def test_the_status_page_shows_the_request_and_what_was_given(client, consultation):
    response = client.get(STATUS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert consultation.reference in html
    assert "Request received." in html
    assert "Advance a bylaw on accessible parks." in html
    assert "dana@example.org" in html
    assert "+972 52-345-6789" in html
    assert consultation.organization_as_submitted["name"] in html
    assert "write to the team" in html.lower()
    assert 'content="noindex, nofollow"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("prefix", "language", "direction"),
    [("", "he", "rtl"), ("/ar", "ar", "rtl"), ("/en", "en", "ltr")],
)
def test_the_status_page_speaks_the_page_language(
    client, consultation, prefix, language, direction
):
    html = client.get(f"{prefix}/request/status/{TOKEN}/").content.decode()

    assert f'<html lang="{language}" dir="{direction}">' in html
    with translation.override(language):
        assert translation.gettext("Request received.") in html


def test_the_timeline_names_the_advisor_by_first_name_only(client, consultation):
    advisor = UserFactory(
        first_name="Yael", last_name="Cohen", email="yael.cohen@example.org"
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        advisor=advisor, status="in_progress"
    )
    StatusChangeFactory(consultation=consultation, to_status="in_triage")
    StatusChangeFactory(
        consultation=consultation, from_status="in_triage", to_status="assigned"
    )
    StatusChangeFactory(
        consultation=consultation, from_status="assigned", to_status="in_progress"
    )

    html = client.get(STATUS_URL).content.decode()

    assert "A coordinator is reviewing the request." in html
    assert "An advisor was assigned: Yael." in html
    assert "The consultation is in progress." in html
    assert "Cohen" not in html
    assert "yael.cohen@example.org" not in html


def test_the_page_reveals_no_more_personal_data_than_was_given(client, consultation):
    """Not the stored organization (staff may have edited it), not internal
    notes, not other requests of the same organization."""
    organization = consultation.organization
    organization.name = "Name staff corrected"
    organization.registration_number = "580045672"
    organization.save()
    InternalNote.objects.create(consultation=consultation, body="Internal: be careful")
    sibling = ConsultationFactory(
        organization=organization,
        contact_name="Other Person",
        contact_email="other@example.org",
        goal="A different request",
    )

    html = client.get(STATUS_URL).content.decode()

    assert "Name staff corrected" not in html
    assert "580045672" not in html
    assert "Internal: be careful" not in html
    assert "Other Person" not in html and "other@example.org" not in html
    assert sibling.reference not in html
    assert "A different request" not in html


def test_the_status_page_costs_a_fixed_number_of_queries(
    client, consultation, django_assert_num_queries
):
    """One lookup, four prefetches and the list of files, however long the
    history and however many files."""
    from consultations.models import Attachment
    from consultations.services.attachments import attachments_add

    CoalitionMember.objects.create(consultation=consultation, name="Sikkuy")
    for _ in range(3):
        MessageFactory(consultation=consultation)
        StatusChangeFactory(consultation=consultation)
        attachments_add(
            consultation=consultation,
            files=[("a.txt", b"text")],
            sender=Attachment.Sender.ORGANIZATION,
        )

    with django_assert_num_queries(6):
        response = client.get(STATUS_URL)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "unknown-token-0123456789abcdefghijklmnopq",
        "short",
        "x" * 500,
        "%3Cscript%3E",
    ],
)
def test_unknown_or_malformed_tokens_answer_404(client, consultation, token):
    assert client.get(f"/en/request/status/{token}/").status_code == 404
    assert client.get(f"/en/request/status/{token}/withdraw/").status_code == 404


def test_an_anonymized_request_answers_404(client, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(anonymized_at=timezone.now())

    assert client.get(STATUS_URL).status_code == 404
    assert client.post(STATUS_URL, {"body": "hello"}).status_code == 404


def test_messages_exchanged_are_shown_escaped(client, consultation):
    MessageFactory(
        consultation=consultation,
        author=UserFactory(first_name="Yael", last_name="Cohen"),
        body="<script>alert(1)</script> see you Sunday",
    )

    html = client.get(STATUS_URL).content.decode()

    assert "Yael from the team wrote" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; see you Sunday" in html
    assert "<script>alert(1)" not in html


def test_sending_a_message_stores_it_and_queues_the_email(client, consultation):
    response = client.post(STATUS_URL, {"body": "Please fix our phone number."})

    assert response.status_code == 302
    assert response["Location"] == STATUS_URL
    message = Message.objects.get()
    assert message.direction == "in"
    assert OutboundEmail.objects.filter(kind="message_to_staff").count() == 1
    html = client.get(STATUS_URL).content.decode()
    assert "Your message was sent to the team." in html
    assert "Please fix our phone number." in html


def test_an_empty_or_oversized_message_is_refused_on_the_page(client, consultation):
    for data in [{}, {"body": ""}, {"body": "x" * 4001}]:
        response = client.post(STATUS_URL, data)
        assert response.status_code == 200
        assert response.context["message_form"].errors
    assert not Message.objects.exists()


def test_withdrawing_asks_for_confirmation_first(client, consultation):
    page = client.get(WITHDRAW_URL)
    assert page.status_code == 200
    assert 'name="confirm"' in page.content.decode()

    response = client.post(WITHDRAW_URL, {"reason": "No longer needed"})

    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    consultation.refresh_from_db()
    assert consultation.status == "new"


def test_a_confirmed_withdrawal_closes_the_request_and_tells_staff(
    client, consultation
):
    response = client.post(WITHDRAW_URL, {"reason": "Solved", "confirm": "on"})

    assert response["Location"] == STATUS_URL
    consultation.refresh_from_db()
    assert consultation.status == "withdrawn"
    assert OutboundEmail.objects.filter(kind="withdrawn").exists()
    html = client.get(STATUS_URL).content.decode()
    assert "You withdrew the request." in html
    assert WITHDRAW_URL not in html
    # Messages stay possible after closing.
    assert 'name="body"' in html


def test_a_closed_request_has_no_withdraw_step(client, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(status="completed")

    assert client.get(WITHDRAW_URL)["Location"] == STATUS_URL
    client.post(WITHDRAW_URL, {"confirm": "on"})
    consultation.refresh_from_db()
    assert consultation.status == "completed"


def test_the_lost_link_answer_is_the_same_whether_or_not_anything_matched(
    client, consultation
):
    matching = client.post(
        "/en/request/lost-link/",
        {"email": "dana@example.org", "reference": consultation.reference},
        follow=True,
    )
    not_matching = client.post(
        "/en/request/lost-link/",
        {"email": "nobody@example.org", "reference": "SH-2026-99999"},
        follow=True,
    )

    def visible(response):
        html = response.content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert matching.status_code == not_matching.status_code == 200
    assert "If the email address and the reference match" in visible(matching)
    assert visible(matching) == visible(not_matching)
    assert OutboundEmail.objects.filter(kind="status_link").count() == 1
    assert client.get(STATUS_URL).status_code == 404


def test_the_lost_link_form_reports_its_own_errors(client):
    response = client.post("/en/request/lost-link/", {"email": "x", "reference": ""})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "reference"}


def test_status_lookups_are_rate_limited_per_address(client, consultation, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "3/h"
    address = fresh_address()
    for _ in range(3):
        client.get(
            "/en/request/status/guess-0123456789abcdefghijkl/", REMOTE_ADDR=address
        )

    response = client.get(STATUS_URL, REMOTE_ADDR=address)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_a_known_status_link_is_never_limited(client, consultation, settings):
    """An organization working through its status page and the pages it
    leads to opens them far more often than the lookup limit."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "3/h"
    address = fresh_address()
    pages = ["", "withdraw/", "contact/", "delete/", "download/"]
    answers = [
        client.get(f"{STATUS_URL}{page}", REMOTE_ADDR=address).status_code
        for page in pages * 2
    ]

    assert 429 not in answers
    assert client.get(STATUS_URL, REMOTE_ADDR=address).status_code == 200


def test_unknown_status_links_are_counted_whatever_page_they_name(
    client, consultation, settings
):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "3/h"
    address = fresh_address()
    guess = "/en/request/status/guess-0123456789abcdefghijkl/"
    answers = [
        client.get(f"{guess}{page}", REMOTE_ADDR=address).status_code
        for page in ["", "withdraw/", "contact/", "download/"]
    ]

    assert answers == [404, 404, 404, 429]
    assert client.get(STATUS_URL, REMOTE_ADDR=address).status_code == 429


def test_lost_link_posts_are_rate_limited_per_address(client, consultation, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "2/h"
    address = fresh_address()
    data = {"email": "dana@example.org", "reference": consultation.reference}
    for _ in range(2):
        client.post("/en/request/lost-link/", data, REMOTE_ADDR=address)

    response = client.post("/ar/request/lost-link/", data, REMOTE_ADDR=address)

    assert response.status_code == 429
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert OutboundEmail.objects.filter(kind="status_link").count() == 2
    assert not mail.outbox
