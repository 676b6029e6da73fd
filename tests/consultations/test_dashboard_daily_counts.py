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
)
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
from tests.factories import ConsultationFactory, OrganizationFactory, catalog_track

pytestmark = pytest.mark.django_db

Status = Consultation.Status
NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=ISRAEL_TZ)
TODAY = NOW.date()
YEAR_2026 = DashboardFilters(
    start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 1)
)


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


@pytest.mark.parametrize(
    "filters",
    [
        YEAR_2026,
        DashboardFilters(
            start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 1)
        ),
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
    ],
    ids=["year", "months", "urgency", "region"],
)
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
