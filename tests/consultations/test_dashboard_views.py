"""The dashboard page and its CSV downloads: staff only, crisis figures per
permission, the same number of queries for any number of requests, CSV in
UTF-8 with a byte-order mark and the page's filters, harmless bad input,
and a cache kept apart per language, filters and permission."""

import csv
import gzip
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation, ConsultationOutcome
from tests.factories import ConsultationFactory, FeedbackFactory, catalog_track

pytestmark = pytest.mark.django_db

Status = Consultation.Status
DASHBOARD = "/workspace/dashboard/"
BOM = "\ufeff".encode()
FIGURES = (
    "status",
    "new-requests",
    "response-time",
    "outcomes",
    "achieved",
    "feedback",
    "advisor-load",
    "crisis",
    "organizations",
)


@pytest.fixture(autouse=True)
def hebrew():
    """Hebrew, the default, whatever language an earlier request left
    active in this thread (URLs are reversed unprefixed)."""
    with translation.override("he"):
        yield


def csv_url(slug: str) -> str:
    return reverse("workspace:dashboard_csv", kwargs={"slug": slug})


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"))))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    """The page and its CSV send an anonymous visitor to the portal's sign-in page."""
    login, status_csv = reverse("accounts:login"), csv_url("status")
    for url in (DASHBOARD, status_csv):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")


def test_advisors_who_are_not_staff_are_refused(client, advisor):
    """A signed-in advisor who is not staff gets 403, page and CSV alike."""
    status_csv = csv_url("status")
    client.force_login(advisor)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(status_csv).status_code == 403


def test_the_coordinator_sees_every_figure_with_crisis_months(client, coordinator):
    """Every figure has its section, its captioned table with header scopes and
    its CSV link; crisis requests have their months."""
    ConsultationFactory(history=False, crisis=True)
    csv_urls = {slug: csv_url(slug) for slug in FIGURES}
    client.force_login(coordinator)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    for slug in FIGURES:
        assert f'id="figure-{slug}"' in html
        assert f'id="caption-{slug}"' in html
        assert f"{csv_urls[slug]}?" in html
    crisis = response.context["dashboard"].figure("crisis")
    assert crisis.note == "" and crisis.charts
    assert 'scope="row"' in html and 'scope="col"' in html


def test_staff_without_the_crisis_permission_see_a_count_only(
    client, plain_staff, coordinator
):
    """The crisis figure is one number; crisis requests are missing from every
    other figure, from the page and from the CSV, even when asked for."""
    crisis = ConsultationFactory(history=False, crisis=True, status=Status.IN_PROGRESS)
    crisis_csv = csv_url("crisis")
    client.force_login(plain_staff)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.figure("crisis").note
    assert dashboard.figure("crisis").table.rows[0].cells == [1]
    status_rows = {
        row.header: row.cells for row in dashboard.figure("status").table.rows
    }
    assert status_rows[str(Status.IN_PROGRESS.label)] == [0]
    html = response.content.decode()
    assert str(crisis.track.title) not in html
    assert crisis.organization.name not in html
    rows = read_csv(client.get(crisis_csv))
    assert len(rows) == 2 and rows[1][1] == "1"
    # Choosing the crisis track by hand is not a way round the rule.
    response = client.get(DASHBOARD, {"track": crisis.track_id})
    assert response.context["form"].errors
    assert response.context["filters"].track_id is None


def test_query_count_does_not_grow_with_the_number_of_requests(
    client, coordinator, make_advisor, django_assert_num_queries
):
    """N and 3N requests of every kind cost the same queries."""
    advisor = make_advisor()
    now = timezone.now()

    def add_requests(count: int) -> None:
        for index in range(count):
            submitted = now - timedelta(days=25 * index)
            consultation = ConsultationFactory(
                history=False,
                submitted_at=submitted,
                first_response_due_at=submitted + timedelta(days=3),
                first_responded_at=submitted + timedelta(days=index % 5),
                status=[Status.ASSIGNED, Status.COMPLETED, Status.NEW][index % 3],
                advisor=advisor if index % 3 < 2 else None,
                closed_at=submitted + timedelta(days=9) if index % 3 == 1 else None,
            )
            if index % 3 == 1:
                ConsultationOutcome.objects.create(
                    consultation=consultation,
                    kind=ConsultationOutcome.Kind.values[index % 5],
                )
                FeedbackFactory(
                    consultation=consultation,
                    submitted_at=submitted + timedelta(days=10),
                    satisfaction=4,
                )
            ConsultationFactory(history=False, crisis=True, submitted_at=submitted)

    client.force_login(coordinator)
    add_requests(4)
    with CaptureQueriesContext(connection) as first:
        assert client.get(DASHBOARD).status_code == 200
    add_requests(8)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["dashboard"].figure("status").table.rows[-1].cells == [24]


def test_csv_is_utf8_with_bom_and_follows_the_filters(client, coordinator):
    """The CSV starts with a byte-order mark and counts what the page's
    filters select."""
    wanted = catalog_track("strategic-planning")
    ConsultationFactory.create_batch(2, history=False, track=wanted)
    ConsultationFactory(history=False, track=catalog_track("coalition"))
    status_csv = csv_url("status")
    client.force_login(coordinator)

    everything = read_csv(client.get(status_csv))
    filtered_response = client.get(status_csv, {"track": wanted.pk})
    filtered = read_csv(filtered_response)

    assert filtered_response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in filtered_response["Content-Disposition"]
    assert len(everything[0]) == 2
    assert everything[-1][-1] == "3"
    assert filtered[-1][-1] == "2"


def test_csv_headers_are_in_the_page_language(client, coordinator):
    """The CSV's headings are those of the table on the page."""
    client.force_login(coordinator)
    rows = read_csv(client.get("/en" + csv_url("advisor-load")))
    assert rows[0] == ["Advisor", "Active requests", "Capacity", "Load (%)"]


def test_an_unknown_table_is_404(client, coordinator):
    """Only the dashboard's own tables can be downloaded."""
    client.force_login(coordinator)
    assert client.get(csv_url("nothing-here")).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13"},
        {"start": "<script>alert(1)</script>", "end": "x" * 5000},
        {"start": "2026-05", "end": "2026-01"},
        {"start": "1990-01", "end": "1990-02"},
        {"start": "2001-01", "end": "2026-01"},
        {"track": "999999", "region": "mars", "urgency": "'; drop table"},
        {"track": "-1"},
    ],
)
def test_bad_filters_show_errors_and_the_default_period(client, coordinator, query):
    """Malformed, hostile or out-of-range filters never fail the page: it says
    what is wrong and shows the last twelve months."""
    client.force_login(coordinator)

    response = client.get(DASHBOARD, query)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert len(response.context["filters"].months) == 12
    assert b"<script>alert(1)</script>" not in response.content


def test_a_chosen_period_sets_the_months(client, coordinator):
    """The months run from the first chosen month to the last, and the CSV
    links carry the same period."""
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"start": "2025-11", "end": "2026-02"})
    filters = response.context["filters"]
    assert [f"{month:%Y-%m}" for month in filters.months] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert "start=2025-11&amp;end=2026-02" in response.content.decode()


def test_cache_is_kept_apart_per_permission_and_language(
    client, coordinator, plain_staff, settings
):
    """A cached dashboard answers without figure queries, but never to a
    user with another crisis permission or in another language."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.DASHBOARD_CACHE_SECONDS = 300
    ConsultationFactory(history=False, crisis=True)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as computed:
        first = client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as cached:
        again = client.get(DASHBOARD)
    assert len(cached.captured_queries) < len(computed.captured_queries)
    assert (
        again.context["dashboard"].computed_at == first.context["dashboard"].computed_at
    )

    english = client.get("/en" + DASHBOARD)
    assert english.context["dashboard"].computed_at != (
        first.context["dashboard"].computed_at
    )

    client.force_login(plain_staff)
    limited = client.get(DASHBOARD)
    assert limited.context["dashboard"].figure("crisis").note


def test_five_years_of_figures_stay_within_the_page_weight_budget(client, coordinator):
    """The HTML of the longest period, gzip-compressed, stays under 30 KB
    (DECISIONS.md, "Quality budgets")."""
    now = timezone.now()
    for month in range(0, 60, 3):
        ConsultationFactory(
            history=False, submitted_at=now - timedelta(days=30 * month)
        )
    client.force_login(coordinator)
    end = timezone.localdate()
    start = end.replace(year=end.year - 5, day=1) + timedelta(days=32)

    response = client.get(DASHBOARD, {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"})

    assert len(response.context["filters"].months) == 60
    assert len(gzip.compress(response.content, compresslevel=9)) < 30 * 1024
