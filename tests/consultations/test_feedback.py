"""The feedback request after completion, and the feedback form."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from consultations.models import Feedback, FollowUp, OutboundEmail
from consultations.services.feedback import FeedbackAlreadyGiven, feedback_submit
from consultations.services.followups import feedback_requests_run
from tests.consultations.followup_support import deliver_outbox, israel, queued
from tests.factories import ConsultationFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

REQUEST = OutboundEmail.Kind.FEEDBACK_REQUEST
VALID = {
    "satisfaction": "4",
    "reached_goal": "partly",
    "would_recommend": "yes",
    "comment": "הייעוץ עזר לנו מאוד.",
}


def run_at(*args: int) -> int:
    with time_machine.travel(israel(*args), tick=False):
        return feedback_requests_run()


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.RATELIMIT_LOOKUP = "1000/m"


@pytest.fixture(autouse=True)
def hebrew():
    """Each test starts in Hebrew: a request through the test client leaves
    its language active in the thread, and reverse() would follow it."""
    with translation.override("he"):
        yield


@pytest.fixture
def completed(catalog):
    """Completed Mon 2 Nov 2026 at 16:00; three business days later is
    Thu 5 Nov, so the request goes out that morning at 09:00."""
    return ConsultationFactory(
        status="completed",
        closed_at=israel(2026, 11, 2, 16, 0),
        first_responded_at=israel(2026, 10, 1, 10, 0),
        preferred_language="ar",
    )


def feedback_link(message) -> str:
    return re.search(r"http://testserver(/\S+/feedback/\S+/)", message.body).group(1)


def test_the_contact_is_asked_once_a_few_business_days_after_completion(completed):
    """Nothing before Thu 5 Nov 09:00, then one email with a private link in
    the contact's language; the raw token is kept nowhere once sent."""
    run_at(2026, 11, 5, 8, 55)
    assert queued(REQUEST) == []
    run_at(2026, 11, 5, 9, 5)
    run_at(2026, 11, 5, 10, 0)
    assert queued(REQUEST) == [(completed.contact_email, completed.pk)]

    [message] = deliver_outbox()
    link = feedback_link(message)
    assert link.startswith("/ar/feedback/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    feedback = Feedback.objects.get(consultation=completed)
    assert token not in feedback.token_hash
    row = OutboundEmail.objects.get(kind=REQUEST)
    assert token not in str(row.context)
    assert FollowUp.objects.get(kind="feedback_request").status == "sent"


def test_old_declined_and_withdrawn_requests_are_not_asked(catalog):
    """Only completed requests, and only those completed within the maximum
    age, are asked for feedback."""
    ConsultationFactory(status="declined", closed_at=israel(2026, 11, 2, 10, 0))
    ConsultationFactory(status="withdrawn", closed_at=israel(2026, 11, 2, 10, 0))
    ConsultationFactory(status="completed", closed_at=israel(2026, 8, 2, 10, 0))
    run_at(2026, 11, 10, 9, 5)
    assert queued(REQUEST) == []


def test_the_form_opens_in_the_contacts_language(client, completed):
    """The emailed link opens the form in Arabic, right to left."""
    run_at(2026, 11, 5, 9, 5)
    [message] = deliver_outbox()
    response = client.get(feedback_link(message))
    assert response.status_code == 200
    assert b'lang="ar" dir="rtl"' in response.content
    assert completed.reference.encode() in response.content


def test_a_valid_answer_is_stored_and_thanked(client):
    """Scores, answers and the comment are stored with the time."""
    feedback = FeedbackFactory(token="a-known-feedback-token-000000000000001")
    url = reverse(
        "consultations:feedback", args=["a-known-feedback-token-000000000000001"]
    )
    response = client.post(url, VALID, follow=True)
    assert response.status_code == 200
    assert response.templates[0].name == "consultations/feedback_done.html"
    feedback.refresh_from_db()
    assert (
        feedback.satisfaction,
        feedback.reached_goal,
        feedback.would_recommend,
        feedback.comment,
    ) == (4, "partly", True, VALID["comment"])
    assert feedback.submitted_at is not None


def test_an_invalid_answer_shows_the_errors_and_keeps_the_input(client):
    """A missing score is named in the error summary; nothing is stored."""
    FeedbackFactory(token="a-known-feedback-token-000000000000002")
    url = reverse(
        "consultations:feedback", args=["a-known-feedback-token-000000000000002"]
    )
    with translation.override("en"):
        response = client.post(
            url, {**VALID, "satisfaction": "9"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert "הייעוץ עזר לנו מאוד.".encode() in response.content
    assert not Feedback.objects.filter(submitted_at__isnull=False).exists()


def test_a_second_answer_is_politely_refused(client):
    """The first answer stays; the second post says it was already received."""
    feedback = FeedbackFactory(token="a-known-feedback-token-000000000000003")
    url = reverse(
        "consultations:feedback", args=["a-known-feedback-token-000000000000003"]
    )
    client.post(url, VALID, follow=True)
    response = client.post(
        url, {**VALID, "satisfaction": "1", "comment": "שונה"}, follow=True
    )
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert feedback.satisfaction == 4
    assert feedback.comment == VALID["comment"]
    messages = [str(message) for message in response.context["messages"]]
    with translation.override("he"):
        refusal = gettext(
            "We already received your feedback on this request. Thank you!"
        )
    assert messages == [refusal]
    with pytest.raises(FeedbackAlreadyGiven):
        feedback_submit(
            feedback=feedback, satisfaction=2, reached_goal="no", would_recommend=False
        )


@pytest.mark.parametrize("token", ["unknown-token-000000000000000000000", "x"])
def test_an_unknown_token_is_not_found(client, token):
    """An unknown or malformed token answers 404."""
    FeedbackFactory()
    response = client.get(reverse("consultations:feedback", args=[token]))
    assert response.status_code == 404


def test_feedback_of_an_anonymized_request_is_not_found(client):
    """Once the request is anonymized the link stops working."""
    from consultations.services.retention import consultation_anonymize

    feedback = FeedbackFactory(token="a-known-feedback-token-000000000000004")
    consultation_anonymize(consultation=feedback.consultation, reason="test")
    response = client.get(
        reverse(
            "consultations:feedback", args=["a-known-feedback-token-000000000000004"]
        )
    )
    assert response.status_code == 404
