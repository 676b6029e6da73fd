"""The staff dashboard's content: figures turned into tables and charts.

Each figure has one table, which is both the text alternative of its charts
and its CSV download, so the three always agree. The whole dashboard is
cached for a few minutes per language, filters and crisis permission.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from consultations.insight.charts import (
    Category,
    Chart,
    bar_chart,
    column_chart,
    line_chart,
)
from consultations.models import Consultation, ConsultationOutcome
from consultations.permissions import user_may_see_crisis
from consultations.selectors.dashboard import (
    ChecklistGrowth,
    DashboardFigures,
    DashboardFilters,
    checklist_growth,
    dashboard_figures,
)
from shatil_portal.caching import DASHBOARD, namespace_version
from tracks.models import Track

logger = logging.getLogger(__name__)

Status = Consultation.Status
CACHE_VERSION = 2
ROW_LABEL_LENGTH = 30


@dataclass(frozen=True)
class TableRow:
    header: str
    cells: list[int | float | str | None]
    url: str = ""
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    slug: str
    caption: str
    columns: list[str]  # the first one heads the row headers
    rows: list[TableRow]

    def csv_rows(self) -> list[list]:
        """The header, then each row; an empty cell for a missing value."""
        return [self.columns] + [
            [row.header, *("" if cell is None else cell for cell in row.cells)]
            for row in self.rows
        ]


@dataclass(frozen=True)
class Figure:
    slug: str
    title: str
    description: str
    table: Table
    charts: list[Chart] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    figures: list[Figure]
    computed_at: datetime.datetime

    def figure(self, slug: str) -> Figure | None:
        return next((item for item in self.figures if item.slug == slug), None)


def _days(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _month_label(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _month_categories(months: list[datetime.date]) -> list[Category]:
    """Short month names, with the year under January and the first month."""
    return [
        Category(
            formats.date_format(month, "M"),
            f"{month:%Y}" if index == 0 or month.month == 1 else "",
        )
        for index, month in enumerate(months)
    ]


def _short(label: str) -> str:
    return Truncator(label).chars(ROW_LABEL_LENGTH)


def _status_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    counts = [figures.status_counts.get(status, 0) for status in Status.values]
    rows = [
        TableRow(str(Status(status).label), [count])
        for status, count in zip(Status.values, counts, strict=True)
    ]
    rows.append(TableRow(_("Total"), [sum(counts)], is_total=True))
    return Figure(
        slug="status",
        title=_("Requests by status"),
        description=_(
            "Requests submitted in the period, by the status they have today."
        ),
        table=Table(
            "status",
            _("Requests submitted in the period, by status today"),
            [_("Status"), _("Requests")],
            rows,
        ),
        charts=[
            bar_chart(
                rows=[_short(row.header) for row in rows[:-1]],
                series=[(_("Requests"), counts)],
                rtl=rtl,
            )
        ],
    )


def _new_requests_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    tracks = figures.tracks
    rows = []
    for month in figures.months:
        counts = [figures.new_requests.get((month, track.pk), 0) for track in tracks]
        rows.append(TableRow(_month_label(month), [*counts, sum(counts)]))
    totals = [sum(row.cells[index] for row in rows) for index in range(len(tracks) + 1)]
    series = [
        (_short(track.title), [row.cells[index] for row in rows])
        for index, track in enumerate(tracks)
    ]
    return Figure(
        slug="new-requests",
        title=_("New requests per month"),
        description=_("Requests submitted each month, by track."),
        table=Table(
            "new-requests",
            _("New requests per month, by track"),
            [_("Month"), *(track.title for track in tracks), _("Total")],
            [*rows, TableRow(_("Total"), totals, is_total=True)],
        ),
        charts=[
            column_chart(
                categories=_month_categories(figures.months), series=series, rtl=rtl
            )
        ],
    )


def _response_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    rows, medians, p90s, promises, shares = [], [], [], [], []
    for month in figures.months:
        item = figures.response.get(month)
        if item is None:
            rows.append(
                TableRow(_month_label(month), [0, 0, None, None, None, 0, None])
            )
            medians.append(None)
            p90s.append(None)
            promises.append(None)
            shares.append(0)
            continue
        share = _percent(item.late, item.measured)
        rows.append(
            TableRow(
                _month_label(month),
                [
                    item.requests,
                    item.answered,
                    _days(item.median),
                    _days(item.p90),
                    _days(item.promised),
                    item.late,
                    share,
                ],
            )
        )
        medians.append(_days(item.median))
        p90s.append(_days(item.p90))
        promises.append(_days(item.promised))
        shares.append(share or 0)
    categories = _month_categories(figures.months)
    return Figure(
        slug="response-time",
        title=_("Time to first response"),
        description=_(
            "Calendar days from submission to the first response, for the "
            "requests submitted each month: the median, the 90th percentile "
            "and the promised time (the median of the deadlines). A request "
            "is late when it was answered after its deadline, or is still "
            "unanswered past it."
        ),
        table=Table(
            "response-time",
            _("Time to first response per month, in days, against the promise"),
            [
                _("Month"),
                _("Requests"),
                _("Answered"),
                _("Median (days)"),
                _("90th percentile (days)"),
                _("Promised (days)"),
                _("Late"),
                _("Share late (%)"),
            ],
            rows,
        ),
        charts=[
            line_chart(
                categories=categories,
                series=[
                    (_("Median"), medians),
                    (_("90th percentile"), p90s),
                    (_("Promised"), promises),
                ],
                rtl=rtl,
            ),
            column_chart(
                categories=categories,
                series=[(_("Share late (%)"), shares)],
                rtl=rtl,
                height=200,
            ),
        ],
    )


def _advisor_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    loads = figures.advisor_loads
    rows = [
        TableRow(
            advisor.name,
            [advisor.load, advisor.capacity, _percent(advisor.load, advisor.capacity)],
        )
        for advisor in loads
    ]
    return Figure(
        slug="advisor-load",
        title=_("Advisors' load"),
        description=_(
            "Active requests each active advisor holds today, against their "
            "capacity. All requests count, whatever the filters."
        ),
        table=Table(
            "advisor-load",
            _("Advisors' load today against their capacity"),
            [_("Advisor"), _("Active requests"), _("Capacity"), _("Load (%)")],
            rows,
        ),
        charts=[
            bar_chart(
                rows=[_short(advisor.name) for advisor in loads],
                series=[(_("Active requests"), [advisor.load for advisor in loads])],
                markers=[advisor.capacity for advisor in loads],
                marker_label=_("Capacity"),
                rtl=rtl,
            )
        ]
        if loads
        else [],
    )


OUTCOMES = (Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN)


def _outcomes_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    tracks = figures.tracks
    rows = []
    for track in tracks:
        counts = [figures.outcomes.get((track.pk, status), 0) for status in OUTCOMES]
        rows.append(TableRow(track.title, [*counts, sum(counts)]))
    totals = [sum(row.cells[index] for row in rows) for index in range(4)]
    return Figure(
        slug="outcomes",
        title=_("Outcomes by track"),
        description=_("Requests closed in the period, by how they ended."),
        table=Table(
            "outcomes",
            _("Requests closed in the period, by track and outcome"),
            [
                _("Track"),
                *(str(Status(status).label) for status in OUTCOMES),
                _("Total"),
            ],
            [*rows, TableRow(_("Total"), totals, is_total=True)],
        ),
        charts=[
            bar_chart(
                rows=[_short(track.title) for track in tracks],
                series=[
                    (str(Status(status).label), [row.cells[index] for row in rows])
                    for index, status in enumerate(OUTCOMES)
                ],
                rtl=rtl,
            )
        ],
    )


ACHIEVED = ConsultationOutcome.Kind


def _achieved_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    """What completed requests achieved, per track and per year of completion."""
    kinds = ACHIEVED.values
    rows, chart_rows, series = [], [], [[] for _kind in kinds]
    for year in figures.outcome_years:
        year_rows = []
        for track in figures.tracks:
            counts = [figures.achieved.get((year, track.pk, kind), 0) for kind in kinds]
            year_rows.append(TableRow(track.title, [year, *counts, sum(counts)]))
            chart_rows.append(f"{year} · {_short(track.title)}")
            for index, count in enumerate(counts):
                series[index].append(count)
        totals = [
            sum(row.cells[index] for row in year_rows)
            for index in range(1, len(kinds) + 2)
        ]
        rows += [
            *year_rows,
            TableRow(
                _("Total for %(year)s") % {"year": year},
                [year, *totals],
                is_total=True,
            ),
        ]
    return Figure(
        slug="achieved",
        title=_("What completed requests achieved"),
        description=_(
            "The outcome recorded when each request was completed, by track "
            "and year of completion, for requests completed in the period."
        ),
        table=Table(
            "achieved",
            _("Completed requests by track, year and outcome"),
            [
                _("Track"),
                _("Year"),
                *(str(ACHIEVED(kind).label) for kind in kinds),
                _("Total"),
            ],
            rows,
        ),
        charts=[
            bar_chart(
                rows=chart_rows,
                series=[
                    (str(ACHIEVED(kind).label), values)
                    for kind, values in zip(kinds, series, strict=True)
                ],
                rtl=rtl,
            )
        ]
        if chart_rows
        else [],
    )


def _feedback_figure(figures: DashboardFigures, *, rtl: bool) -> Figure:
    rows, averages = [], []
    for track in figures.tracks:
        summary = figures.feedback.get(track.pk)
        if summary is None:
            rows.append(TableRow(track.title, [0, None, None, None]))
            averages.append(0)
            continue
        average = round(summary.satisfaction, 2) if summary.satisfaction else None
        rows.append(
            TableRow(
                track.title,
                [
                    summary.answers,
                    average,
                    _percent(summary.would_recommend, summary.answers),
                    _percent(summary.reached_goal, summary.answers),
                ],
            )
        )
        averages.append(average or 0)
    return Figure(
        slug="feedback",
        title=_("Feedback by track"),
        description=_(
            "Answers to the feedback form received in the period: the average "
            "satisfaction (1 to 5), and the share who would recommend the "
            "center and who reached their goal."
        ),
        table=Table(
            "feedback",
            _("Feedback received in the period, by track"),
            [
                _("Track"),
                _("Answers"),
                _("Average satisfaction (1 to 5)"),
                _("Would recommend (%)"),
                _("Reached the goal (%)"),
            ],
            rows,
        ),
        charts=[
            bar_chart(
                rows=[_short(track.title) for track in figures.tracks],
                series=[(_("Average satisfaction (1 to 5)"), averages)],
                max_value=5,
                rtl=rtl,
            )
        ],
    )


def _crisis_figure(
    figures: DashboardFigures, *, filters: DashboardFilters, rtl: bool
) -> Figure:
    title = _("Crisis requests over time")
    if not figures.crisis_visible:
        period = _("%(start)s to %(end)s") % {
            "start": _month_label(filters.start),
            "end": _month_label(filters.end),
        }
        return Figure(
            slug="crisis",
            title=title,
            description=_("Crisis requests submitted in the period."),
            table=Table(
                "crisis",
                _("Crisis requests submitted in the period"),
                [_("Period"), _("Crisis requests")],
                [TableRow(period, [figures.crisis_total])],
            ),
            note=_(
                "Only the number is shown: the details of crisis requests need "
                "the crisis permission."
            ),
        )
    rows, counts = [], []
    for month in figures.months:
        item = figures.crisis_by_month.get(month)
        cells = [item.requests, item.late, item.still_open] if item else [0, 0, 0]
        rows.append(TableRow(_month_label(month), cells))
        counts.append(cells[0])
    totals = [sum(row.cells[index] for row in rows) for index in range(3)]
    return Figure(
        slug="crisis",
        title=title,
        description=_("Crisis requests submitted each month."),
        table=Table(
            "crisis",
            _("Crisis requests per month"),
            [_("Month"), _("Crisis requests"), _("Answered late"), _("Still open")],
            [*rows, TableRow(_("Total"), totals, is_total=True)],
        ),
        charts=[
            column_chart(
                categories=_month_categories(figures.months),
                series=[(_("Crisis requests"), counts)],
                rtl=rtl,
                height=200,
            )
        ],
    )


def _organizations_figure(figures: DashboardFigures) -> Figure:
    rows = [
        TableRow(
            item.name,
            [item.requests],
            url=reverse("workspace:organization_detail", kwargs={"pk": item.pk}),
        )
        for item in figures.top_organizations
    ]
    return Figure(
        slug="organizations",
        title=_("Organizations with the most requests"),
        description=_(
            "Requests submitted in the period; open an organization for its history."
        ),
        table=Table(
            "organizations",
            _("Organizations with the most requests submitted in the period"),
            [_("Organization"), _("Requests")],
            rows,
        ),
    )


def _cache_key(*, user, filters: DashboardFilters) -> str:
    parts = [
        translation.get_language(),
        "crisis" if user_may_see_crisis(user) else "no-crisis",
        *(f"{key}={value}" for key, value in sorted(filters.as_query().items())),
        # Moved on by every completion: its outcome shows at once.
        namespace_version(DASHBOARD),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"dashboard:v{CACHE_VERSION}:{digest}"


def dashboard_build(
    *, user, filters: DashboardFilters, tracks: list[Track]
) -> Dashboard:
    """The dashboard for `user` in the active language; with a track
    chosen, the tables by track show that track alone."""
    if filters.track_id:
        tracks = [track for track in tracks if track.pk == filters.track_id]
    figures = dashboard_figures(user=user, filters=filters, tracks=tracks)
    rtl = translation.get_language_bidi()
    return Dashboard(
        figures=[
            _status_figure(figures, rtl=rtl),
            _new_requests_figure(figures, rtl=rtl),
            _response_figure(figures, rtl=rtl),
            _outcomes_figure(figures, rtl=rtl),
            _achieved_figure(figures, rtl=rtl),
            _feedback_figure(figures, rtl=rtl),
            _advisor_figure(figures, rtl=rtl),
            _crisis_figure(figures, filters=filters, rtl=rtl),
            _organizations_figure(figures),
            _checklist_growth_figure(
                checklist_growth(user=user, filters=filters, tracks=tracks)
            ),
        ],
        computed_at=timezone.now(),
    )


def dashboard_get(*, user, filters: DashboardFilters, tracks: list[Track]) -> Dashboard:
    """The dashboard, from the cache when it was computed in the last few
    minutes (setting DASHBOARD_CACHE_SECONDS; 0 turns the cache off). A
    cache that is down costs speed, never the page."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return dashboard_build(user=user, filters=filters, tracks=tracks)
    key = _cache_key(user=user, filters=filters)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 (any cache backend error)
        logger.warning("Dashboard cache unavailable; computing the figures.")
        cached = None
    if cached is not None:
        return cached
    dashboard = dashboard_build(user=user, filters=filters, tracks=tracks)
    try:
        cache.set(key, dashboard, seconds)
    except Exception:  # noqa: BLE001
        logger.warning("Dashboard cache unavailable; the figures were not kept.")
    return dashboard


# The checklist's growth (issue 18), a section of its own.


def _checklist_growth_figure(growth: ChecklistGrowth) -> Figure:
    """Columns per track and year; rows: how many took the checklist, how
    many took it again, then the average change per tool (points on the
    four-point scale, between the first and the latest taking)."""
    groups = growth.groups
    rows = [
        TableRow(_("Organizations that filled it in"), [g.took for g in groups]),
        TableRow(
            _("Organizations that filled it in again"), [g.retook for g in groups]
        ),
    ]
    rows.extend(
        TableRow(tool.title, [g.change_by_tool.get(tool.pk) for g in groups])
        for tool in growth.tools
        if any(tool.pk in g.change_by_tool for g in groups)
    )
    return Figure(
        slug="checklist-growth",
        title=_("Growth measured by the checklist"),
        description=_(
            "Requests submitted in the period whose organization filled in the "
            "checklist of policy tools, by track and year: how many filled it "
            "in again, and the average change per tool between the first and "
            "the latest time, in points on the four-point scale."
        ),
        table=Table(
            "checklist-growth",
            _(
                "The checklist of policy tools by track and year: takings and "
                "the average change per tool"
            ),
            [
                _("Tool"),
                *(
                    _("%(track)s, %(year)s")
                    % {"track": _short(g.track.title), "year": g.year}
                    for g in groups
                ),
            ],
            rows if groups else [],
        ),
    )
