"""The response time promised to the organization is the response policy's,
the same number the stored deadline was computed with: staff who change the
policy change the words on the confirmation page and in the confirmation
email, with each language's plural forms."""

import pytest

from consultations.emails import build_message
from consultations.models import Consultation, OutboundEmail, ResponsePolicy
from tests.factories import request_form_data

pytestmark = pytest.mark.django_db

PREFIX = {"he": "", "ar": "/ar", "en": "/en"}
PROMISE = {
    "he": {1: "תוך יום עסקים אחד", 2: "תוך 2 ימי עסקים", 5: "תוך 5 ימי עסקים"},
    "ar": {1: "خلال يوم عمل واحد", 2: "خلال يومَي عمل", 5: "خلال 5 أيام عمل"},
    "en": {
        1: "within one business day",
        2: "within 2 business days",
        5: "within 5 business days",
    },
}


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["he", "ar", "en"])
@pytest.mark.parametrize("days", [1, 2, 5])
def test_the_policy_sets_the_promise_on_the_page_and_in_the_email(
    client, catalog, settings, language, days
):
    """A regular request under a policy of 1, 2 or 5 business days is
    promised exactly that, in Hebrew, Arabic and English."""
    settings.RATELIMIT_ENABLE = False
    ResponsePolicy.objects.update_or_create(
        urgency=ResponsePolicy.Urgency.NORMAL,
        track=None,
        defaults={"first_response_business_days": days},
    )
    response = client.post(
        f"{PREFIX[language]}/request/",
        request_form_data(preferred_language=language),
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.urgency == Consultation.Urgency.NORMAL

    page = _words(client.get(response["Location"]).content.decode())
    message = build_message(OutboundEmail.objects.get(kind="confirmation"))
    html = _words(message.alternatives[0][0])
    promise = PROMISE[language][days]
    assert promise in page
    assert promise in _words(message.body)
    assert promise in html
    for other in set(PROMISE[language].values()) - {promise}:
        assert other not in page and other not in html


# The form's two sentences, and the number of days as each language says it.
FORM_SENTENCES = {
    "he": ("רכז.ת מטעם המרכז עונה תוך {}.", "פניית משבר נענית תוך {}."),
    "ar": ("سيردّ عليكم منسّق/ة خلال {}.", "يتم الردّ على طلب الأزمة خلال {}."),
    "en": (
        "A coordinator will answer within {}.",
        "A crisis request is answered within {}.",
    ),
}
DAYS = {
    "he": {1: "יום עסקים אחד", 2: "2 ימי עסקים"},
    "ar": {1: "يوم عمل واحد", 2: "يومَي عمل"},
    "en": {1: "one business day", 2: "2 business days"},
}


@pytest.mark.parametrize("language", ["he", "ar", "en"])
@pytest.mark.parametrize(("normal", "crisis"), [(2, 1), (1, 2)])
def test_the_form_promises_what_the_policies_for_every_track_say(
    client, catalog, language, normal, crisis
):
    """The request form's opening words follow the regular and the crisis
    policies for every track."""
    for urgency, days in [
        (ResponsePolicy.Urgency.NORMAL, normal),
        (ResponsePolicy.Urgency.CRISIS, crisis),
    ]:
        ResponsePolicy.objects.update_or_create(
            urgency=urgency,
            track=None,
            defaults={"first_response_business_days": days},
        )
    page = _words(client.get(f"{PREFIX[language]}/request/").content.decode())
    regular_sentence, crisis_sentence = FORM_SENTENCES[language]
    assert regular_sentence.format(DAYS[language][normal]) in page
    assert crisis_sentence.format(DAYS[language][crisis]) in page


@pytest.mark.django_db(transaction=True)
def test_the_cached_form_follows_a_policy_edit_at_once(catalog):
    """The form is kept whole for new visitors; a policy edit shows on the
    next visit all the same (the page depends on the policies too)."""
    from django.test import Client

    from shatil_portal import caching

    caching._locals.clear()
    policy, _created = ResponsePolicy.objects.update_or_create(
        urgency=ResponsePolicy.Urgency.NORMAL,
        track=None,
        defaults={"first_response_business_days": 5},
    )
    regular_sentence = FORM_SENTENCES["en"][0]
    page = _words(Client().get("/en/request/").content.decode())
    assert regular_sentence.format("5 business days") in page

    policy.first_response_business_days = 2
    policy.save()

    page = _words(Client().get("/en/request/").content.decode())
    assert regular_sentence.format(DAYS["en"][2]) in page
