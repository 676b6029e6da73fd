"""What completed requests achieved, on the staff dashboard: per track and
year of completion, as a chart, a table and a CSV whose cells cannot run as
formulas; crisis requests per permission; and a cached dashboard that shows
a completion at once."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from consultations.business_time import ISRAEL_TZ
from consultations.insight.figures import dashboard_build
from consultations.models import Consultation, ConsultationOutcome
from consultations.selectors.dashboard import (
    DashboardFilters,
    dashboard_figures,
    dashboard_tracks,
)
from consultations.services.transitions import consultation_complete
from tests.factories import ConsultationFactory, catalog_track

pytestmark = pytest.mark.django_db

Status = Consultation.Status
TWO_YEARS = DashboardFilters(
    start=datetime.date(2025, 7, 1), end=datetime.date(2026, 6, 1)
)
NOW = datetime.datetime(2026, 6, 20, 12, 0, tzinfo=ISRAEL_TZ)
DASHBOARD = "/workspace/dashboard/"
BOM = "\ufeff"


def completed(track, closed_at, kind, **fields) -> Consultation:
    consultation = ConsultationFactory(
        history=False,
        track=track,
        status=Status.COMPLETED,
        submitted_at=closed_at - datetime.timedelta(days=30),
        closed_at=closed_at,
        **fields,
    )
    ConsultationOutcome.objects.create(consultation=consultation, kind=kind)
    return consultation


def israel(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def figures_for(user):
    with time_machine.travel(NOW, tick=False):
        return dashboard_figures(
            user=user, filters=TWO_YEARS, tracks=dashboard_tracks(user=user)
        )


@pytest.fixture
def outcomes(catalog):
    planning = catalog_track("strategic-planning")
    coalition = catalog_track("coalition")
    completed(planning, israel(2025, 12, 31, 23, 30), "policy_adopted")
    completed(planning, israel(2026, 1, 5, 10, 0), "policy_adopted")
    completed(planning, israel(2026, 2, 5, 10, 0), "nothing_yet")
    completed(coalition, israel(2026, 3, 5, 10, 0), "skills_gained")
    completed(coalition, israel(2025, 3, 5, 10, 0), "skills_gained")  # before
    completed(coalition, israel(2026, 3, 6, 10, 0), "plan_in_place", crisis=True)
    # Completed before outcomes were recorded: no outcome, not counted.
    ConsultationFactory(
        history=False,
        track=coalition,
        status=Status.COMPLETED,
        closed_at=israel(2026, 1, 1, 10, 0),
    )
    return planning, coalition


def test_outcomes_count_by_year_of_completion_in_israel_time(outcomes, coordinator):
    """31 Dec 2025 23:30 in Israel is 2025, though UTC says the same day."""
    planning, coalition = outcomes
    figures = figures_for(coordinator)
    assert figures.outcome_years == [2025, 2026]
    assert figures.achieved == {
        (2025, planning.pk, "policy_adopted"): 1,
        (2026, planning.pk, "policy_adopted"): 1,
        (2026, planning.pk, "nothing_yet"): 1,
        (2026, coalition.pk, "skills_gained"): 1,
        (2026, coalition.pk, "plan_in_place"): 1,
    }


def test_without_the_crisis_permission_crisis_outcomes_are_left_out(
    outcomes, plain_staff
):
    _planning, coalition = outcomes
    assert (2026, coalition.pk, "plan_in_place") not in figures_for(
        plain_staff
    ).achieved


def test_the_table_has_a_row_per_track_and_year_and_a_total_per_year(
    outcomes, coordinator
):
    planning, _coalition = outcomes
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        dashboard = dashboard_build(
            user=coordinator,
            filters=TWO_YEARS,
            tracks=dashboard_tracks(user=coordinator),
        )
    figure = dashboard.figure("achieved")
    assert figure.table.columns == [
        "Track",
        "Year",
        "A policy was adopted",
        "A decision was changed",
        "A plan is in place",
        "Skills were gained",
        "Nothing yet",
        "Total",
    ]
    rows = {(row.header, row.cells[0]): row.cells[1:] for row in figure.table.rows}
    assert rows[(planning.title_en, 2026)] == [1, 0, 0, 0, 1, 2]
    assert rows[("Total for 2026", 2026)] == [1, 0, 1, 1, 1, 4]
    assert rows[("Total for 2025", 2025)] == [1, 0, 0, 0, 0, 1]
    [chart] = figure.charts
    assert len(chart.legend) == 5


def test_the_csv_neutralizes_a_track_title_that_looks_like_a_formula(
    outcomes, client, coordinator
):
    planning, _coalition = outcomes
    planning.title_he = '=HYPERLINK("http://x")'
    planning.save()
    client.force_login(coordinator)
    with translation.override("he"):
        url = reverse("workspace:dashboard_csv", kwargs={"slug": "achieved"})
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, TWO_YEARS.as_query())
    body = response.content.decode("utf-8")
    assert body.startswith(BOM)
    rows = list(csv.reader(io.StringIO(body[1:])))
    headers = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://x")' in headers
    assert '=HYPERLINK("http://x")' not in headers


def test_a_cached_dashboard_shows_a_completion_at_once(
    client, coordinator, advisor, settings, catalog, django_capture_on_commit_callbacks
):
    """The figures are cached for minutes, but a completion moves their
    version on when it commits: the next page shows the outcome."""
    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.CATALOG_LOCAL_SECONDS = 0
    consultation = ConsultationFactory(
        history=False,
        status=Status.IN_PROGRESS,
        advisor=advisor,
        first_responded_at=timezone.now(),
    )
    client.force_login(coordinator)

    def achieved_total() -> int:
        with translation.override("he"):
            response = client.get(DASHBOARD)
        return sum(
            row.cells[-1]
            for row in response.context["dashboard"].figure("achieved").table.rows
            if row.is_total
        )

    assert achieved_total() == 0
    assert achieved_total() == 0  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        consultation_complete(
            consultation=consultation, actor=advisor, outcome="decision_changed"
        )
    assert achieved_total() == 1
