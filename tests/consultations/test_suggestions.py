"""The advisor ranking on constructed cases: track coverage first, then
capacity, language, region, load and round robin, always in the same order,
with a reason for each place, in a constant number of queries (the
ranking, and the organization's checklist needs)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from consultations.models import Consultation
from consultations.suggestions import suggest_advisors, top_suggestion
from tests.factories import ConsultationFactory, OrganizationFactory
from tracks.models import Track

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture(autouse=True)
def in_english():
    """The reasons are translated; these tests read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def request_in_haifa_in_arabic():
    return ConsultationFactory(
        history=False,
        organization=OrganizationFactory(region="haifa"),
        preferred_language="ar",
    )


def _names(suggestions):
    return [suggestion.advisor.first_name for suggestion in suggestions]


def _load(advisor, count):
    for _ in range(count):
        ConsultationFactory(history=False, status=Status.IN_PROGRESS, advisor=advisor)


def test_only_active_advisors_who_cover_the_track_are_ranked(
    make_advisor, request_in_haifa_in_arabic
):
    other_track = Track.objects.exclude(pk=request_in_haifa_in_arabic.track_id).first()
    make_advisor(first_name="Covers")
    make_advisor(first_name="Elsewhere", tracks=[other_track])
    make_advisor(first_name="Inactive", is_active=False)
    retired = make_advisor(first_name="Retired")
    retired.is_active = False
    retired.save()

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["Covers"]


def test_language_comes_before_region(make_advisor, request_in_haifa_in_arabic):
    make_advisor(first_name="HaifaHebrew", languages=["he"], regions=["haifa"])
    make_advisor(first_name="SouthArabic", languages=["ar"], regions=["south"])

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["SouthArabic", "HaifaHebrew"]
    assert "Speaks Arabic" in suggestions[0].reasons
    assert "Does not cover Haifa District" in suggestions[0].reasons
    assert "Covers Haifa District" in suggestions[1].reasons


def test_region_comes_before_load(make_advisor, request_in_haifa_in_arabic):
    idle_south = make_advisor(
        first_name="IdleSouth", languages=["ar"], regions=["south"]
    )
    busy_haifa = make_advisor(
        first_name="BusyHaifa", languages=["ar"], regions=["haifa"]
    )
    _load(busy_haifa, 3)

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["BusyHaifa", "IdleSouth"]
    assert "Load 3/5" in suggestions[0].reasons
    assert suggestions[1].advisor == idle_south


def test_an_advisor_covering_the_whole_country_matches_every_region(
    make_advisor, request_in_haifa_in_arabic
):
    make_advisor(first_name="South", languages=["ar"], regions=["south"])
    make_advisor(first_name="Nationwide", languages=["ar"], regions=["nationwide"])

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["Nationwide", "South"]
    assert "Covers the whole country" in suggestions[0].reasons


def test_lower_load_relative_to_capacity_ranks_higher(
    make_advisor, request_in_haifa_in_arabic
):
    # 2 of 10 is lighter than 1 of 2, though the count is higher.
    large = make_advisor(first_name="Large", languages=["ar"], capacity=10)
    small = make_advisor(first_name="Small", languages=["ar"], capacity=2)
    _load(large, 2)
    _load(small, 1)

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["Large", "Small"]


def test_closed_requests_do_not_count_as_load(make_advisor, request_in_haifa_in_arabic):
    advisor = make_advisor(first_name="Done", languages=["ar"])
    for status in Consultation.CLOSED_STATUSES:
        ConsultationFactory(history=False, status=status, advisor=advisor)

    (suggestion,) = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert suggestion.load == 0


def test_advisors_at_capacity_come_last_and_are_marked(
    make_advisor, request_in_haifa_in_arabic
):
    full = make_advisor(
        first_name="Full", languages=["ar"], regions=["haifa"], capacity=1
    )
    _load(full, 1)
    make_advisor(first_name="Free", languages=["he"], regions=["south"])

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["Free", "Full"]
    assert suggestions[1].at_capacity
    assert "At capacity" in suggestions[1].reasons
    assert top_suggestion(
        consultation=request_in_haifa_in_arabic
    ).advisor.first_name == ("Free")


def test_nobody_with_room_means_no_top_suggestion(
    make_advisor, request_in_haifa_in_arabic
):
    full = make_advisor(first_name="Full", capacity=1)
    _load(full, 1)

    assert top_suggestion(consultation=request_in_haifa_in_arabic) is None


def test_round_robin_prefers_the_never_assigned_then_the_longest_waiting(
    make_advisor, request_in_haifa_in_arabic
):
    now = timezone.now()
    make_advisor(first_name="Recent", last_assigned_at=now - timedelta(days=1))
    make_advisor(first_name="Long", last_assigned_at=now - timedelta(days=30))
    make_advisor(first_name="Never")

    suggestions = suggest_advisors(consultation=request_in_haifa_in_arabic)

    assert _names(suggestions) == ["Never", "Long", "Recent"]
    assert "Never assigned a request" in suggestions[0].reasons


def test_full_ties_are_broken_by_profile_order_every_time(
    make_advisor, request_in_haifa_in_arabic
):
    first = make_advisor(first_name="Zed")
    second = make_advisor(first_name="Abe")

    rankings = {
        tuple(_names(suggest_advisors(consultation=request_in_haifa_in_arabic)))
        for _ in range(5)
    }

    assert rankings == {("Zed", "Abe")}
    assert first.advisor_profile.pk < second.advisor_profile.pk


def test_the_ranking_costs_the_same_queries_whatever_the_number_of_advisors(
    make_advisor, request_in_haifa_in_arabic, django_assert_num_queries
):
    consultation = Consultation.objects.select_related("organization").get(
        pk=request_in_haifa_in_arabic.pk
    )
    make_advisor()
    # The ranking, and the checklist's needs (none: no advisors to match).
    with django_assert_num_queries(2):
        assert len(suggest_advisors(consultation=consultation)) == 1

    for _ in range(6):
        _load(make_advisor(), 2)
    with django_assert_num_queries(2):
        assert len(suggest_advisors(consultation=consultation)) == 7
