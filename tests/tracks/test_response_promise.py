"""The catalog pages promise the response time that the response policies
set, not a number typed into the template: the home page the regular and
the crisis policies for every track, a time-sensitive track's page its own
crisis policy. The pages stay cached whole, and a policy edit shows at once.

These tests commit (transactional_db), as production does: inside a
transaction the cache is bypassed.
"""

import pytest
from django.test import Client

from consultations.models import ResponsePolicy
from tracks.models import Track

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

PREFIX = {"he": "", "ar": "/ar", "en": "/en"}
# The time-sensitive track, whose page says how fast a crisis is answered.
CRISIS_TRACK_PATH = "/tracks/crisis/"
REGULAR = {
    "he": "רכז.ת מטעם המרכז עונה תוך {}.",
    "ar": "سيردّ عليكم منسّق/ة خلال {}.",
    "en": "A coordinator will answer within {}.",
}
CRISIS = {
    "he": "פניית משבר נענית תוך {}.",
    "ar": "يتم الردّ على طلب الأزمة خلال {}.",
    "en": "A crisis request is answered within {}.",
}
DAYS = {
    "he": {2: "2 ימי עסקים", 4: "4 ימי עסקים", 5: "5 ימי עסקים"},
    "ar": {2: "يومَي عمل", 4: "4 أيام عمل", 5: "5 أيام عمل"},
    "en": {2: "2 business days", 4: "4 business days", 5: "5 business days"},
}


@pytest.fixture(autouse=True)
def no_copy_from_an_earlier_test():
    from shatil_portal import caching

    caching._locals.clear()
    yield
    caching._locals.clear()


def _page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def _set_policies(days: int, track=None) -> None:
    """Save the regular and crisis policies as staff do (each save sends
    its signal)."""
    for urgency in (ResponsePolicy.Urgency.NORMAL, ResponsePolicy.Urgency.CRISIS):
        policy, _created = ResponsePolicy.objects.get_or_create(
            urgency=urgency,
            track=track,
            defaults={"first_response_business_days": days},
        )
        policy.first_response_business_days = days
        policy.save()


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_the_catalog_pages_promise_the_policy_and_follow_an_edit_at_once(
    language, django_assert_num_queries
):
    """Under policies of 5 business days the home page and the crisis
    track's page say 5; edited to 2, they say 2 on the next visit, and a
    second visit is served from the cache without a query."""
    home, track = PREFIX[language] + "/", PREFIX[language] + CRISIS_TRACK_PATH
    _set_policies(5)

    for days in (5, 2):
        home_html, track_html = _page(home), _page(track)
        promised = DAYS[language][days]
        assert REGULAR[language].format(promised) in home_html
        assert CRISIS[language].format(promised) in home_html
        assert CRISIS[language].format(promised) in track_html
        with django_assert_num_queries(0):
            assert _page(home) == home_html
            assert _page(track) == track_html
        _set_policies(2)


def test_a_track_page_promises_its_own_crisis_policy():
    """A crisis policy for the track itself wins on its page; the home page
    keeps the one for every track."""
    _set_policies(5)
    _page("/en/")
    _page("/en" + CRISIS_TRACK_PATH)

    _set_policies(4, track=Track.objects.get(slug="crisis"))

    assert CRISIS["en"].format("4 business days") in _page("/en" + CRISIS_TRACK_PATH)
    assert CRISIS["en"].format("5 business days") in _page("/en/")
