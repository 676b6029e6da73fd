"""The dashboard's figures on constructed data with answers checked by hand:
months in Israel time (empty months included), response times and lateness
against deadlines that skip a holiday, anonymized requests still counted,
outcomes, feedback, advisors' load, and crisis requests per permission."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from consultations.business_time import ISRAEL_TZ, add_business_days
from consultations.insight.figures import dashboard_build
from consultations.models import Consultation
from consultations.selectors.dashboard import (
    DashboardFilters,
    _percentile,
    dashboard_figures,
    dashboard_tracks,
)
from tests.factories import (
    ConsultationFactory,
    FeedbackFactory,
    OrganizationFactory,
    catalog_track,
)

pytestmark = pytest.mark.django_db

Status = Consultation.Status
YEAR_2026 = DashboardFilters(
    start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 1)
)
# Every figure is read as of this moment: unanswered requests past their
# deadline by then are late.
NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=ISRAEL_TZ)


def israel(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def figures_for(user, filters=YEAR_2026):
    with time_machine.travel(NOW, tick=False):
        return dashboard_figures(
            user=user, filters=filters, tracks=dashboard_tracks(user=user)
        )


def request_at(submitted_at, *, days: int = 3, **fields) -> Consultation:
    """A request whose deadline is computed on the business calendar."""
    fields.setdefault(
        "first_response_due_at",
        add_business_days(moment=submitted_at, days=days),
    )
    return ConsultationFactory(history=False, submitted_at=submitted_at, **fields)


def test_months_follow_israel_time_and_empty_months_count_zero(coordinator):
    """31 Jan 23:30 in Israel is January; 1 Mar 00:30 in Israel (still
    28 Feb in UTC) is March; February has no request and shows 0."""
    track = catalog_track("project-consulting")
    request_at(israel(2026, 1, 31, 23, 30), track=track)
    request_at(israel(2026, 3, 1, 0, 30), track=track)

    figures = figures_for(coordinator)

    assert figures.new_requests == {
        (datetime.date(2026, 1, 1), track.pk): 1,
        (datetime.date(2026, 3, 1), track.pk): 1,
    }
    with translation.override("en"):
        table = (
            dashboard_build(user=coordinator, filters=YEAR_2026, tracks=figures.tracks)
            .figure("new-requests")
            .table
        )
    totals = {row.header: row.cells[-1] for row in table.rows}
    assert totals["January 2026"] == 1
    assert totals["February 2026"] == 0
    assert totals["March 2026"] == 1
    assert len(table.rows) == 13  # twelve months and the total


def test_response_times_are_percentiles_of_the_answered_requests(coordinator):
    """Answers after 1, 2 and 3 days: the median is 2 days and the 90th
    percentile 2.8 days (linear interpolation, as PERCENTILE_CONT)."""
    submitted = israel(2026, 5, 10, 9, 0)  # a Sunday
    for days in (1, 2, 3):
        request_at(submitted, first_responded_at=submitted + timedelta(days=days))
    request_at(submitted)  # unanswered, not counted in the times

    month = figures_for(coordinator).response[datetime.date(2026, 5, 1)]

    assert (month.requests, month.answered) == (4, 3)
    assert month.median == timedelta(days=2)
    assert month.p90 == timedelta(days=2.8)
    # Sunday 09:00 plus three business days: the end of Wednesday.
    assert month.promised == add_business_days(moment=submitted, days=3) - submitted


def test_lateness_follows_the_business_calendar_across_yom_kippur(coordinator):
    """A request on Thursday 17 Sep 2026 is due at the end of Thursday
    24 Sep: Sunday 20 Sep (the eve) and Monday 21 Sep (Yom Kippur) do not
    count. An answer on Wednesday 23 Sep is on time, six calendar days
    later; one on Friday 25 Sep is late; one never given is late too."""
    submitted = israel(2026, 9, 17, 10, 0)
    due = add_business_days(moment=submitted, days=3)
    assert due == israel(2026, 9, 24, 23, 59, 59, 999999)
    request_at(submitted, first_responded_at=israel(2026, 9, 23, 12, 0))
    request_at(submitted, first_responded_at=israel(2026, 9, 25, 9, 0))
    request_at(submitted)
    # Withdrawn unanswered before its deadline: neither late nor on time.
    request_at(
        submitted,
        status=Status.WITHDRAWN,
        closed_at=israel(2026, 9, 18, 9, 0),
    )

    month = figures_for(coordinator).response[datetime.date(2026, 9, 1)]

    assert (month.requests, month.answered, month.measured, month.late) == (
        4,
        2,
        3,
        2,
    )
    with translation.override("en"):
        table = (
            dashboard_build(
                user=coordinator,
                filters=YEAR_2026,
                tracks=dashboard_tracks(user=coordinator),
            )
            .figure("response-time")
            .table
        )
    september = next(row for row in table.rows if row.header == "September 2026")
    # Requests, answered, median, p90, promised (days), late, share late (%).
    assert september.cells[0:2] == [4, 2]
    assert september.cells[5:] == [2, 66.7]


def test_anonymized_requests_still_count(coordinator):
    """Anonymizing removes people, not the request from the statistics."""
    submitted = israel(2026, 4, 5, 10, 0)
    request_at(
        submitted,
        status=Status.COMPLETED,
        closed_at=submitted + timedelta(days=20),
        first_responded_at=submitted + timedelta(days=1),
        anonymized_at=submitted + timedelta(days=400),
        contact_name="",
        contact_email="",
        goal="",
    )
    request_at(submitted)

    figures = figures_for(coordinator)

    assert figures.status_counts == {Status.COMPLETED: 1, Status.NEW: 1}
    assert figures.response[datetime.date(2026, 4, 1)].answered == 1
    assert figures.outcomes == {(catalog_track().pk, Status.COMPLETED): 1}


def test_outcomes_count_requests_closed_in_the_period_by_track(coordinator):
    """A request submitted in 2025 and closed in 2026 counts; one closed in
    2025 does not; open requests are no outcome."""
    track = catalog_track("strategic-planning")
    old = israel(2025, 10, 1, 10, 0)
    request_at(old, track=track, status=Status.COMPLETED, closed_at=israel(2026, 2, 1))
    request_at(old, track=track, status=Status.COMPLETED, closed_at=israel(2025, 12, 1))
    request_at(old, track=track, status=Status.DECLINED, closed_at=israel(2026, 3, 1))
    request_at(old, track=track, status=Status.WITHDRAWN, closed_at=israel(2026, 3, 2))
    request_at(old, track=track, status=Status.IN_PROGRESS)

    assert figures_for(coordinator).outcomes == {
        (track.pk, Status.COMPLETED): 1,
        (track.pk, Status.DECLINED): 1,
        (track.pk, Status.WITHDRAWN): 1,
    }


def test_feedback_scores_by_track_count_only_answers(coordinator):
    """Two answers (4 and 5) average 4.5; an invitation not yet answered is
    no answer."""
    track = catalog_track("coalition")
    answered_at = israel(2026, 6, 1, 10, 0)
    for satisfaction, recommend in ((4, True), (5, False)):
        FeedbackFactory(
            consultation=request_at(
                israel(2026, 3, 1, 10, 0), track=track, status=Status.COMPLETED
            ),
            submitted_at=answered_at,
            satisfaction=satisfaction,
            would_recommend=recommend,
            reached_goal="yes",
        )
    FeedbackFactory(
        consultation=request_at(
            israel(2026, 3, 1, 10, 0), track=track, status=Status.COMPLETED
        )
    )

    summary = figures_for(coordinator).feedback[track.pk]

    assert (summary.answers, summary.satisfaction) == (2, 4.5)
    assert (summary.would_recommend, summary.reached_goal) == (1, 2)


def test_advisors_load_counts_active_requests_against_capacity(
    coordinator, make_advisor
):
    """Assigned, in progress and waiting count; completed does not."""
    advisor = make_advisor(first_name="Yael", capacity=4)
    for status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.COMPLETED):
        request_at(israel(2026, 2, 1, 10, 0), advisor=advisor, status=status)

    loads = {item.name: item for item in figures_for(coordinator).advisor_loads}

    assert (loads["Yael Person"].load, loads["Yael Person"].capacity) == (2, 4)


def test_filters_narrow_every_figure(coordinator):
    """Track, region and urgency filters apply to the requests counted."""
    north = OrganizationFactory(region="north")
    track = catalog_track("strategic-planning")
    submitted = israel(2026, 7, 1, 10, 0)
    request_at(submitted, track=track, organization=north, urgency="urgent")
    request_at(submitted, track=track, organization=north)
    request_at(submitted, track=track)
    request_at(submitted, organization=north, urgency="urgent")

    filters = DashboardFilters(
        start=YEAR_2026.start,
        end=YEAR_2026.end,
        track_id=track.pk,
        region="north",
        urgency="urgent",
    )

    assert figures_for(coordinator, filters).status_counts == {Status.NEW: 1}


def test_crisis_requests_are_counted_only_for_staff_without_the_permission(
    coordinator, plain_staff
):
    """Without the permission a crisis request is left out of every figure
    and only their number is given; with it, they have their own months."""
    submitted = israel(2026, 8, 2, 10, 0)
    request_at(submitted, days=1, crisis=True)
    request_at(submitted, days=1, crisis=True, first_responded_at=submitted)
    request_at(submitted)

    limited = figures_for(plain_staff)
    full = figures_for(coordinator)

    assert limited.status_counts == {Status.NEW: 1}
    assert limited.crisis_total == 2
    assert limited.crisis_by_month == {}
    assert all(not track.is_time_sensitive for track in limited.tracks)
    assert full.status_counts == {Status.NEW: 3}
    august = full.crisis_by_month[datetime.date(2026, 8, 1)]
    assert (august.requests, august.late, august.still_open) == (2, 1, 2)


def test_the_crisis_table_without_the_permission_has_one_number(plain_staff):
    """The table (and its CSV) gives the period and a count, nothing else."""
    request_at(israel(2026, 8, 2, 10, 0), crisis=True)
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        figure = dashboard_build(
            user=plain_staff,
            filters=YEAR_2026,
            tracks=dashboard_tracks(user=plain_staff),
        ).figure("crisis")

    assert figure.table.csv_rows() == [
        ["Period", "Crisis requests"],
        ["January 2026 to December 2026", 1],
    ]
    assert figure.charts == []


def test_month_axis_runs_right_to_left_in_hebrew(coordinator):
    """In Hebrew the first month stands at the right of the chart; in
    English at the left."""

    def first_and_last_month_x(language):
        with translation.override(language):
            chart = (
                dashboard_build(user=coordinator, filters=YEAR_2026, tracks=[])
                .figure("crisis")
                .charts[0]
            )
        ticks = [label for label in chart.labels if label.text == "2026"]
        months = [
            label
            for label in chart.labels
            if label.css_class == "chart-tick"
            and label.anchor == "middle"
            and label.text != "2026"
        ]
        return ticks[0].x, months[0].x, months[-1].x

    year_he, first_he, last_he = first_and_last_month_x("he")
    year_en, first_en, last_en = first_and_last_month_x("en")

    assert first_he > last_he
    assert first_en < last_en
    assert year_he == first_he and year_en == first_en


def test_python_percentile_matches_percentile_cont():
    """The SQLite fallback interpolates as PostgreSQL's PERCENTILE_CONT."""
    assert _percentile([1.0, 2.0, 3.0], 0.5) == 2.0
    assert _percentile([1.0, 2.0, 3.0], 0.9) == pytest.approx(2.8)
    assert _percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 2.5
    assert _percentile([7.0], 0.9) == 7.0
