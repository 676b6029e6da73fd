"""The dashboard's precomputed daily counts: the beat job counts the days
before today, the dashboard reads them and counts the days since live, and
its figures are the same as counted live, after any status change too."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.business_time import ISRAEL_TZ
from consultations.models import (
    Consultation,
    DailyCountsCoverage,
    DailyRequestCount,
    MonthlyResponseFigures,
)
from consultations.roles import COORDINATORS_GROUP
from consultations.selectors.dashboard import (
    DashboardFilters,
    dashboard_figures,
    dashboard_tracks,
)
from consultations.services.dashboard_counts import daily_counts_rebuild
from consultations.services.transitions import (
    consultation_decline,
    consultation_start_triage,
)
from consultations.services.workspace import consultation_message_organization
from tests.factories import (
    ConsultationFactory,
    OrganizationFactory,
    UserFactory,
    catalog_track,
)

pytestmark = pytest.mark.django_db

Status = Consultation.Status
NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=ISRAEL_TZ)
TODAY = NOW.date()
YEAR_2026 = DashboardFilters(
    start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 1)
)


# The periods and filters both precomputed figures are checked against.
FILTER_CASES = [
    YEAR_2026,
    DashboardFilters(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 1)),
    DashboardFilters(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 1),
        urgency=Consultation.Urgency.URGENT,
    ),
    DashboardFilters(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 1),
        region="south",
    ),
]
FILTER_IDS = ["year", "months", "urgency", "region"]


def israel(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def counted(user, filters=YEAR_2026) -> tuple[dict, dict]:
    with time_machine.travel(NOW, tick=False):
        figures = dashboard_figures(
            user=user, filters=filters, tracks=dashboard_tracks(user=user)
        )
    return figures.status_counts, figures.new_requests


def counted_live(user, filters=YEAR_2026) -> tuple[dict, dict]:
    coverage = list(DailyCountsCoverage.objects.all())
    DailyCountsCoverage.objects.all().delete()
    try:
        return counted(user, filters)
    finally:
        DailyCountsCoverage.objects.bulk_create(coverage)


@pytest.fixture
def requests(catalog):
    """Requests over the year, its edges in Israel time, today's included,
    in two tracks, urgent or not, crisis or not, in two regions."""
    south = OrganizationFactory(region="south")
    made = [
        ConsultationFactory(history=False, submitted_at=israel(2025, 12, 31, 23, 30)),
        ConsultationFactory(history=False, submitted_at=israel(2026, 1, 1, 0, 10)),
        ConsultationFactory(
            history=False, submitted_at=israel(2026, 3, 31, 23, 50), status=Status.NEW
        ),
        ConsultationFactory(
            history=False,
            submitted_at=israel(2026, 4, 1, 9),
            track=catalog_track("local-government"),
            organization=south,
        ),
        ConsultationFactory(
            history=False,
            submitted_at=israel(2026, 6, 2, 9),
            urgency=Consultation.Urgency.URGENT,
            status=Status.IN_TRIAGE,
        ),
        ConsultationFactory(
            history=False, crisis=True, submitted_at=israel(2026, 6, 3)
        ),
        ConsultationFactory(
            history=False, submitted_at=israel(2026, 12, 14, 23, 59), organization=south
        ),
        ConsultationFactory(history=False, submitted_at=israel(2026, 12, 15, 0, 1)),
    ]
    daily_counts_rebuild(today=TODAY)
    return made


def test_the_job_counts_the_days_before_today(requests):
    assert DailyCountsCoverage.objects.get().covered_until == TODAY
    assert sum(row.count for row in DailyRequestCount.objects.all()) == 7


@pytest.mark.parametrize("filters", FILTER_CASES, ids=FILTER_IDS)
def test_the_figures_are_those_counted_live(
    requests, coordinator, make_advisor, filters
):
    assert counted(coordinator, filters) == counted_live(coordinator, filters)
    # Without the crisis permission, crisis requests are left out of both.
    advisor = make_advisor()
    assert counted(advisor, filters) == counted_live(advisor, filters)


def test_the_track_filter_reads_the_counts_too(requests, coordinator):
    track = catalog_track("local-government")
    filters = DashboardFilters(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 1),
        track_id=track.pk,
    )

    status_counts, new_requests = counted(coordinator, filters)

    assert status_counts == {Status.NEW: 1}
    assert new_requests == {(datetime.date(2026, 4, 1), track.pk): 1}


def test_a_status_change_shows_at_once_before_the_job_runs_again(requests, coordinator):
    before, _ = counted(coordinator)
    old = requests[2]

    consultation_start_triage(consultation=old, actor=coordinator)
    old.refresh_from_db()
    consultation_decline(consultation=old, actor=coordinator, note="Outside our work.")

    after, _ = counted(coordinator)
    assert after == counted_live(coordinator)[0]
    assert after != before
    # That day and those after it are counted live until the job runs again.
    assert DailyCountsCoverage.objects.get().covered_until == datetime.date(2026, 3, 31)
    daily_counts_rebuild(today=TODAY)
    assert counted(coordinator)[0] == after


def test_the_query_count_does_not_grow_with_the_requests(
    requests, coordinator, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as first:
        counted(coordinator)
    for day in range(1, 28):
        ConsultationFactory(history=False, submitted_at=israel(2026, 5, day, 10))
    daily_counts_rebuild(today=TODAY)

    with django_assert_max_num_queries(len(first.captured_queries)):
        counted(coordinator)


# The response times by month: stored by the same job for each whole month
# before the current one, read while right, computed live otherwise.


def response(user, filters=YEAR_2026, at=NOW) -> dict:
    with time_machine.travel(at, tick=False):
        return dashboard_figures(
            user=user, filters=filters, tracks=dashboard_tracks(user=user)
        ).response


def response_live(user, filters=YEAR_2026, at=NOW) -> dict:
    coverage = list(DailyCountsCoverage.objects.all())
    DailyCountsCoverage.objects.all().delete()
    try:
        return response(user, filters, at)
    finally:
        DailyCountsCoverage.objects.bulk_create(coverage)


@pytest.fixture
def answered(catalog):
    """Requests answered on time and late, unanswered past their deadline or
    not yet, closed unanswered, in several months, tracks and urgencies,
    crisis or not, and one of the current month."""

    def made(submitted, *, answered_after=None, due_after=None, **fields):
        return ConsultationFactory(
            history=False,
            submitted_at=submitted,
            first_response_due_at=submitted + (due_after or datetime.timedelta(3)),
            first_responded_at=submitted + answered_after if answered_after else None,
            **fields,
        )

    south = OrganizationFactory(region="south")
    made_requests = {
        "on time": made(
            israel(2026, 2, 3, 10), answered_after=datetime.timedelta(0, 5 * 3600)
        ),
        "late": made(israel(2026, 2, 10, 10), answered_after=datetime.timedelta(5)),
        "past due": made(israel(2026, 2, 27, 10), status=Status.ASSIGNED),
        "urgent": made(
            israel(2026, 5, 4, 9),
            answered_after=datetime.timedelta(1),
            urgency=Consultation.Urgency.URGENT,
            track=catalog_track("local-government"),
            organization=south,
        ),
        "crisis": made(
            israel(2026, 5, 6, 9),
            crisis=True,
            answered_after=datetime.timedelta(0, 7200),
        ),
        # Unanswered, due on 19 December: late only after NOW.
        "not yet due": made(
            israel(2026, 11, 29, 9),
            due_after=datetime.timedelta(20),
            status=Status.ASSIGNED,
        ),
        "closed unanswered": made(
            israel(2026, 11, 2, 9),
            status=Status.DECLINED,
            closed_at=israel(2026, 11, 3, 9),
        ),
        "this month": made(
            israel(2026, 12, 14, 9), answered_after=datetime.timedelta(0, 3 * 3600)
        ),
    }
    with time_machine.travel(NOW, tick=False):
        daily_counts_rebuild(today=TODAY)
    return made_requests


def test_the_job_stores_each_whole_month_before_the_current_one(answered):
    months = set(MonthlyResponseFigures.objects.values_list("month", flat=True))

    assert {datetime.date(2026, 2, 1), datetime.date(2026, 11, 1)} <= months
    assert datetime.date(2026, 12, 1) not in months


@pytest.mark.parametrize("filters", FILTER_CASES, ids=FILTER_IDS)
def test_the_response_times_are_those_computed_live(
    answered, coordinator, make_advisor, filters
):
    assert response(coordinator, filters) == response_live(coordinator, filters)
    # Without the crisis permission, crisis requests are left out of both.
    advisor = make_advisor()
    assert response(advisor, filters) == response_live(advisor, filters)


def test_the_track_filter_reads_the_stored_months_too(answered, coordinator):
    track = catalog_track("local-government")
    filters = DashboardFilters(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 1),
        track_id=track.pk,
    )

    figures = response(coordinator, filters)

    assert figures == response_live(coordinator, filters)
    assert figures[datetime.date(2026, 5, 1)].median == datetime.timedelta(1)


def test_the_dashboard_shows_the_stored_months_and_the_current_one_live(
    answered, coordinator
):
    february = datetime.date(2026, 2, 1)
    stored = MonthlyResponseFigures.objects.get(
        month=february, track=None, urgency="", with_crisis=True
    )
    assert (stored.requests, stored.answered, stored.measured, stored.late) == (
        3,
        2,
        3,
        2,
    )
    stored.median = datetime.timedelta(days=99)
    stored.save()

    figures = response(coordinator)

    assert figures[february].median == datetime.timedelta(days=99)
    assert figures[datetime.date(2026, 12, 1)].requests == 1


def test_a_first_response_shows_at_once_before_the_job_runs_again(
    answered, coordinator
):
    old = answered["past due"]
    advisor = UserFactory(is_staff=True, groups=[COORDINATORS_GROUP])
    before = response(coordinator)[datetime.date(2026, 2, 1)]

    with time_machine.travel(NOW, tick=False):
        consultation_message_organization(
            consultation=old, author=advisor, body="We read your request."
        )

    after = response(coordinator)[datetime.date(2026, 2, 1)]
    assert after.answered == before.answered + 1
    assert response(coordinator) == response_live(coordinator)
    assert DailyCountsCoverage.objects.get().covered_until == datetime.date(2026, 2, 27)


def test_a_month_is_computed_live_once_an_unanswered_request_turns_late(
    answered, coordinator
):
    november = datetime.date(2026, 11, 1)
    later = israel(2026, 12, 20, 12)
    stored = MonthlyResponseFigures.objects.get(
        month=november, track=None, urgency="", with_crisis=True
    )
    assert stored.stale_at == answered["not yet due"].first_response_due_at
    assert response(coordinator)[november].late == 0

    # Nothing changed, but the deadline passed.
    assert response(coordinator, at=later)[november].late == 1
    assert response(coordinator, at=later) == response_live(coordinator, at=later)
