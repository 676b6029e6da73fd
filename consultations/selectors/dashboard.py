"""Figures for the staff dashboard, computed in the database.

Each figure is one aggregate query (months by `TruncMonth` in Israel time),
so the page costs the same number of queries for a hundred requests or a
hundred thousand. Anonymized requests count like any other: anonymizing
removes people, not dates, tracks or statuses.

Crisis requests enter the figures only for users with the crisis
permission; everyone else gets their number and nothing more.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import NotSupportedError, connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone

from consultations.business_time import ISRAEL_TZ, to_local
from consultations.models import (
    AdvisorProfile,
    ChecklistAnswer,
    ChecklistAssessment,
    Consultation,
    DailyCountsCoverage,
    DailyRequestCount,
    Feedback,
    MonthlyResponseFigures,
    Organization,
    PolicyTool,
)
from consultations.permissions import user_may_see_crisis
from tracks.models import Track

Status = Consultation.Status
DEFAULT_MONTHS = 12
MAX_MONTHS = 60
TOP_ORGANIZATIONS = 10


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (an ordered-set aggregate).

    Other databases have no such aggregate; the selector computes the same
    values in Python there (see _response_percentiles_in_python).
    """

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("PERCENTILE_CONT needs PostgreSQL.")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def local_today() -> datetime.date:
    return to_local(moment=timezone.now()).date()


@dataclass(frozen=True)
class DashboardFilters:
    """The period (whole months, Israel time) and the optional filters."""

    start: datetime.date
    end: datetime.date
    track_id: int | None = None
    region: str = ""
    urgency: str = ""

    @classmethod
    def default(cls, *, today: datetime.date | None = None) -> "DashboardFilters":
        """The last twelve months, the current one included."""
        end = month_start(today or local_today())
        return cls(start=end - relativedelta(months=DEFAULT_MONTHS - 1), end=end)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time.min, ISRAEL_TZ)

    @property
    def end_at(self) -> datetime.datetime:
        """The first moment after the period."""
        after = self.end + relativedelta(months=1)
        return datetime.datetime.combine(after, datetime.time.min, ISRAEL_TZ)

    def as_query(self) -> dict[str, str]:
        """The GET parameters that reproduce these filters."""
        query = {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        if self.track_id:
            query["track"] = str(self.track_id)
        if self.region:
            query["region"] = self.region
        if self.urgency:
            query["urgency"] = self.urgency
        return query


@dataclass(frozen=True)
class ResponseMonth:
    requests: int = 0
    answered: int = 0
    # Requests whose timeliness is known: answered, or past due unanswered.
    measured: int = 0
    late: int = 0
    median: datetime.timedelta | None = None
    p90: datetime.timedelta | None = None
    promised: datetime.timedelta | None = None


@dataclass(frozen=True)
class AdvisorLoad:
    name: str
    load: int
    capacity: int


@dataclass(frozen=True)
class FeedbackSummary:
    answers: int = 0
    satisfaction: float | None = None
    would_recommend: int = 0
    reached_goal: int = 0


@dataclass(frozen=True)
class CrisisMonth:
    requests: int = 0
    late: int = 0
    still_open: int = 0


@dataclass(frozen=True)
class OrganizationCount:
    pk: int
    name: str
    requests: int


@dataclass
class DashboardFigures:
    """Raw figures: numbers keyed by month, track id and status."""

    months: list[datetime.date]
    tracks: list[Track]
    crisis_visible: bool
    status_counts: dict[str, int] = field(default_factory=dict)
    new_requests: dict[tuple[datetime.date, int], int] = field(default_factory=dict)
    response: dict[datetime.date, ResponseMonth] = field(default_factory=dict)
    advisor_loads: list[AdvisorLoad] = field(default_factory=list)
    outcomes: dict[tuple[int, str], int] = field(default_factory=dict)
    # Completed requests by (year of completion, track id, outcome kind).
    achieved: dict[tuple[int, int, str], int] = field(default_factory=dict)
    outcome_years: list[int] = field(default_factory=list)
    feedback: dict[int, FeedbackSummary] = field(default_factory=dict)
    crisis_total: int = 0
    crisis_by_month: dict[datetime.date, CrisisMonth] = field(default_factory=dict)
    top_organizations: list[OrganizationCount] = field(default_factory=list)


def dashboard_tracks(*, user) -> list[Track]:
    """The tracks the dashboard reports on (and offers as a filter); the
    time-sensitive (crisis) tracks only to users who may see crisis requests."""
    tracks = Track.objects.order_by("order", "pk")
    if not user_may_see_crisis(user):
        tracks = tracks.filter(is_time_sensitive=False)
    return list(tracks)


def _filters_q(*, filters: DashboardFilters, prefix: str = "") -> Q:
    condition = Q()
    if filters.track_id:
        condition &= Q(**{f"{prefix}track_id": filters.track_id})
    if filters.region:
        condition &= Q(**{f"{prefix}organization__region": filters.region})
    if filters.urgency:
        condition &= Q(**{f"{prefix}urgency": filters.urgency})
    return condition


def _scope(*, user, filters: DashboardFilters) -> QuerySet[Consultation]:
    """The requests the figures count: the filters, and no crisis request
    for a user without the permission.

    By class of user, not `visible_to`: the figures are cached per class
    (dashboard.py), so one advisor's own crisis request is not counted.
    """
    queryset = Consultation.objects.filter(_filters_q(filters=filters))
    if not user_may_see_crisis(user):
        queryset = queryset.filter(is_crisis=False)
    return queryset.order_by()


def _submitted_in(filters: DashboardFilters) -> Q:
    return Q(submitted_at__gte=filters.start_at, submitted_at__lt=filters.end_at)


def _month(row_month: datetime.datetime) -> datetime.date:
    return to_local(moment=row_month).date()


def _late_conditions(*, now: datetime.datetime) -> tuple[Q, Q]:
    """(late, measured). A request is late when answered after its deadline,
    or still unanswered after it (counted until the request closed)."""
    unanswered_past_due = Q(
        first_responded_at__isnull=True,
        first_response_due_at__lt=Coalesce(F("closed_at"), Value(now)),
    )
    late = Q(first_responded_at__gt=F("first_response_due_at")) | unanswered_past_due
    measured = Q(first_responded_at__isnull=False) | unanswered_past_due
    return late, measured


def _percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, as PERCENTILE_CONT does."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _response_percentiles_in_python(
    queryset: QuerySet[Consultation],
) -> dict[datetime.date, dict[str, datetime.timedelta | None]]:
    """SQLite (`make run`) has no percentile aggregate: one query for the
    times, the percentiles in Python."""
    responses, promises = defaultdict(list), defaultdict(list)
    rows = queryset.values_list(
        "submitted_at", "first_responded_at", "first_response_due_at"
    )
    for submitted_at, responded_at, due_at in rows:
        month = month_start(to_local(moment=submitted_at).date())
        promises[month].append((due_at - submitted_at).total_seconds())
        if responded_at is not None:
            responses[month].append((responded_at - submitted_at).total_seconds())

    def delta(values, fraction):
        if not values:
            return None
        return datetime.timedelta(seconds=_percentile(values, fraction))

    return {
        month: {
            "median": delta(responses[month], 0.5),
            "p90": delta(responses[month], 0.9),
            "promised": delta(promises[month], 0.5),
        }
        for month in promises
    }


def _response_by_month(
    queryset: QuerySet[Consultation],
    *,
    now: datetime.datetime,
    user,
    filters: DashboardFilters,
    split: datetime.date | None,
) -> dict[datetime.date, ResponseMonth]:
    """The first-response figures by month of submission: the whole months
    before the counts' coverage from the job's monthly figures, while they
    are right (`stale_at`), the rest live."""
    response: dict[datetime.date, ResponseMonth] = {}
    if split is not None and connection.vendor == "postgresql":
        # The job stores every whole month before the coverage's (a month
        # without requests has no row); from the first month whose figures
        # went stale, everything is live.
        live_from = month_start(split)
        stored = MonthlyResponseFigures.objects.filter(
            month__gte=filters.start,
            month__lt=live_from,
            track_id=filters.track_id,
            urgency=filters.urgency,
            with_crisis=user_may_see_crisis(user),
        ).values("month", *RESPONSE_FIGURES, "stale_at")
        for row in stored:
            month, stale_at = row.pop("month"), row.pop("stale_at")
            if stale_at is not None and stale_at <= now:
                live_from = min(live_from, month)
            response[month] = ResponseMonth(**row)
        response = {
            month: figures for month, figures in response.items() if month < live_from
        }
        queryset = queryset.filter(
            submitted_at__gte=datetime.datetime.combine(
                live_from, datetime.time.min, ISRAEL_TZ
            )
        )
    return response | _response_by_month_live(queryset, now=now)


RESPONSE_FIGURES = (
    "requests",
    "answered",
    "measured",
    "late",
    "median",
    "p90",
    "promised",
)


def _response_by_month_live(
    queryset: QuerySet[Consultation], *, now: datetime.datetime
) -> dict[datetime.date, ResponseMonth]:
    late, measured = _late_conditions(now=now)
    counts = {
        "requests": Count("pk"),
        "answered": Count("pk", filter=Q(first_responded_at__isnull=False)),
        "measured": Count("pk", filter=measured),
        "late": Count("pk", filter=late),
    }
    by_month = queryset.annotate(
        month=TruncMonth("submitted_at", tzinfo=ISRAEL_TZ)
    ).values("month")
    if connection.vendor == "postgresql":
        response_time = ExpressionWrapper(
            F("first_responded_at") - F("submitted_at"), output_field=DurationField()
        )
        promise = ExpressionWrapper(
            F("first_response_due_at") - F("submitted_at"),
            output_field=DurationField(),
        )
        rows = by_month.annotate(
            **counts,
            median=PercentileCont(response_time, fraction=0.5),
            p90=PercentileCont(response_time, fraction=0.9),
            promised=PercentileCont(promise, fraction=0.5),
        )
        return {_month(row.pop("month")): ResponseMonth(**row) for row in rows}
    if connection.vendor != "sqlite":
        raise NotSupportedError("The dashboard needs PostgreSQL or SQLite.")
    percentiles = _response_percentiles_in_python(queryset)
    return {
        (month := _month(row.pop("month"))): ResponseMonth(
            **row, **percentiles.get(month, {})
        )
        for row in by_month.annotate(**counts)
    }


def monthly_response_figures(
    *, since: datetime.date, until: datetime.date, now: datetime.datetime
) -> list[dict]:
    """The first-response figures of each whole month from `since` to
    before `until`, for every combination of the dashboard's filters but the
    region (a track or all, an urgency or all, with or without crisis
    requests), as the job stores them (services/dashboard_counts.py), with
    the moment each month's figures go stale. PostgreSQL only.

    The rows and their rules (late, measured) come from the live figure's
    own expressions; only the grouping is written here, as GROUPING SETS,
    which the ORM has no words for: one pass over the months' requests."""
    late, measured = _late_conditions(now=now)
    rows = (
        Consultation.objects.filter(
            submitted_at__gte=datetime.datetime.combine(
                since, datetime.time.min, ISRAEL_TZ
            ),
            submitted_at__lt=datetime.datetime.combine(
                until, datetime.time.min, ISRAEL_TZ
            ),
        )
        .order_by()
        .annotate(
            month=TruncMonth("submitted_at", tzinfo=ISRAEL_TZ),
            is_late=ExpressionWrapper(late, output_field=BooleanField()),
            is_measured=ExpressionWrapper(measured, output_field=BooleanField()),
            is_answered=ExpressionWrapper(
                Q(first_responded_at__isnull=False), output_field=BooleanField()
            ),
            response_time=ExpressionWrapper(
                F("first_responded_at") - F("submitted_at"),
                output_field=DurationField(),
            ),
            promise=ExpressionWrapper(
                F("first_response_due_at") - F("submitted_at"),
                output_field=DurationField(),
            ),
            # When the month's figures stop being right: an unanswered open
            # request's deadline still to come.
            turns_late_at=Case(
                When(
                    first_responded_at__isnull=True,
                    closed_at__isnull=True,
                    first_response_due_at__gte=now,
                    then=F("first_response_due_at"),
                ),
            ),
        )
        .values(
            "month",
            "track_id",
            "urgency",
            "is_crisis",
            "is_late",
            "is_measured",
            "is_answered",
            "response_time",
            "promise",
            "turns_late_at",
        )
    )
    inner, params = rows.query.sql_with_params()
    sql = f"""
        SELECT
            r.month,
            CASE WHEN GROUPING(r.track_id) = 1 THEN NULL ELSE r.track_id END,
            CASE WHEN GROUPING(r.urgency) = 1 THEN '' ELSE r.urgency END,
            GROUPING(r.is_crisis) = 1,
            COUNT(*),
            COUNT(*) FILTER (WHERE r.is_answered),
            COUNT(*) FILTER (WHERE r.is_measured),
            COUNT(*) FILTER (WHERE r.is_late),
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY r.response_time),
            PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY r.response_time),
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY r.promise),
            MIN(r.turns_late_at)
        FROM ({inner}) AS r
        GROUP BY r.month, CUBE (r.track_id, r.urgency, r.is_crisis)
        -- With crisis requests (is_crisis rolled up), or without them.
        HAVING GROUPING(r.is_crisis) = 1 OR NOT r.is_crisis
    """
    names = (
        "month",
        "track_id",
        "urgency",
        "with_crisis",
        "requests",
        "answered",
        "measured",
        "late",
        "median",
        "p90",
        "promised",
        "stale_at",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in found:
        # The month's first moment in Israel time, as the database gives it.
        row["month"] = row["month"].date()
    return found


def _crisis_figures(
    *, user, filters: DashboardFilters, now: datetime.datetime
) -> tuple[int, dict[datetime.date, CrisisMonth]]:
    crisis = Consultation.objects.filter(
        _filters_q(filters=filters), _submitted_in(filters), is_crisis=True
    ).order_by()
    if not user_may_see_crisis(user):
        return crisis.count(), {}
    late, _ = _late_conditions(now=now)
    rows = (
        crisis.annotate(month=TruncMonth("submitted_at", tzinfo=ISRAEL_TZ))
        .values("month")
        .annotate(
            requests=Count("pk"),
            late=Count("pk", filter=late),
            still_open=Count("pk", filter=Q(status__in=Consultation.OPEN_STATUSES)),
        )
    )
    by_month = {_month(row.pop("month")): CrisisMonth(**row) for row in rows}
    return sum(month.requests for month in by_month.values()), by_month


def _advisor_loads() -> list[AdvisorLoad]:
    """Each active advisor's open work against their capacity: a counting
    subquery per advisor, served by the (advisor, status) index."""
    active = (
        Consultation.objects.filter(
            advisor=OuterRef("user_id"), status__in=Consultation.ACTIVE_STATUSES
        )
        .order_by()
        .values("advisor")
        # COUNT(*), not COUNT(id): the (advisor, status) index alone answers.
        .annotate(count=Count("*"))
        .values("count")
    )
    profiles = (
        AdvisorProfile.objects.active()
        .select_related("user")
        .annotate(load=Coalesce(Subquery(active), 0))
    )
    return [
        AdvisorLoad(name=str(profile), load=profile.load, capacity=profile.capacity)
        for profile in profiles
    ]


def _counted_until(*, filters: DashboardFilters) -> datetime.date | None:
    """The first day of the period not in the precomputed counts
    (services/dashboard_counts.py), or None to count the whole period live
    (no counts, or the region filter, which they do not hold)."""
    if filters.region:
        return None
    covered_until = (
        DailyCountsCoverage.objects.filter(pk=DailyCountsCoverage.PK)
        .values_list("covered_until", flat=True)
        .first()
    )
    if covered_until is None or covered_until <= filters.start:
        return None
    return min(covered_until, filters.end + relativedelta(months=1))


def _submitted_counts(
    *,
    user,
    filters: DashboardFilters,
    submitted: QuerySet[Consultation],
    split: datetime.date | None,
) -> tuple[dict[str, int], dict[tuple[datetime.date, int], int]]:
    """The requests submitted in the period by status, and by month and
    track: the days before the counts' coverage (`split`) from the counts,
    the days since live."""
    status_counts: dict[str, int] = defaultdict(int)
    new_requests: dict[tuple[datetime.date, int], int] = defaultdict(int)
    if split is not None:
        counted = DailyRequestCount.objects.filter(
            _filters_q(filters=filters), day__gte=filters.start, day__lt=split
        )
        if not user_may_see_crisis(user):
            counted = counted.filter(is_crisis=False)
        for status, count in counted.values_list("status").annotate(count=Sum("count")):
            status_counts[status] += count
        for month, track_id, count in (
            counted.annotate(month=TruncMonth("day"))
            .values_list("month", "track_id")
            .annotate(count=Sum("count"))
        ):
            new_requests[(month, track_id)] += count
        submitted = submitted.filter(
            submitted_at__gte=datetime.datetime.combine(
                split, datetime.time.min, ISRAEL_TZ
            )
        )
    for status, count in submitted.values_list("status").annotate(count=Count("pk")):
        status_counts[status] += count
    for month, track_id, count in (
        submitted.annotate(month=TruncMonth("submitted_at", tzinfo=ISRAEL_TZ))
        .values_list("month", "track_id")
        .annotate(count=Count("pk"))
    ):
        new_requests[(_month(month), track_id)] += count
    return dict(status_counts), dict(new_requests)


def dashboard_figures(
    *, user, filters: DashboardFilters, tracks: list[Track]
) -> DashboardFigures:
    """Every figure of the dashboard, in a fixed number of queries."""
    now = timezone.now()
    scope = _scope(user=user, filters=filters)
    submitted = scope.filter(_submitted_in(filters))
    figures = DashboardFigures(
        months=filters.months,
        tracks=tracks,
        crisis_visible=user_may_see_crisis(user),
    )

    split = _counted_until(filters=filters)
    figures.status_counts, figures.new_requests = _submitted_counts(
        user=user, filters=filters, submitted=submitted, split=split
    )
    figures.response = _response_by_month(
        submitted, now=now, user=user, filters=filters, split=split
    )
    figures.advisor_loads = _advisor_loads()
    figures.outcomes = {
        (track_id, status): count
        for track_id, status, count in scope.filter(
            status__in=Consultation.CLOSED_STATUSES,
            closed_at__gte=filters.start_at,
            closed_at__lt=filters.end_at,
        )
        .values_list("track_id", "status")
        .annotate(count=Count("pk"))
    }
    figures.outcome_years = list(range(filters.start.year, filters.end.year + 1))
    figures.achieved = {
        (year, track_id, kind): count
        for year, track_id, kind, count in scope.filter(
            status=Consultation.Status.COMPLETED,
            closed_at__gte=filters.start_at,
            closed_at__lt=filters.end_at,
            outcome__isnull=False,
        )
        .annotate(year=ExtractYear("closed_at", tzinfo=ISRAEL_TZ))
        .values_list("year", "track_id", "outcome__kind")
        .annotate(count=Count("pk"))
    }
    answers = Feedback.objects.filter(
        _filters_q(filters=filters, prefix="consultation__")
    )
    if not figures.crisis_visible:
        answers = answers.filter(consultation__is_crisis=False)
    figures.feedback = {
        row.pop("consultation__track_id"): FeedbackSummary(**row)
        for row in answers.filter(
            submitted_at__gte=filters.start_at,
            submitted_at__lt=filters.end_at,
        )
        .order_by()
        .values("consultation__track_id")
        .annotate(
            answers=Count("pk"),
            satisfaction=Avg("satisfaction", output_field=FloatField()),
            would_recommend=Count("pk", filter=Q(would_recommend=True)),
            reached_goal=Count("pk", filter=Q(reached_goal=Feedback.ReachedGoal.YES)),
        )
    }
    figures.crisis_total, figures.crisis_by_month = _crisis_figures(
        user=user, filters=filters, now=now
    )
    figures.top_organizations = _top_organizations(submitted)
    return figures


def _top_organizations(submitted: QuerySet[Consultation]) -> list[OrganizationCount]:
    """The organizations with the most requests submitted in the period,
    ties by name. Counted by organization first and joined to the names
    after: the ORM's GROUP BY over the join read every request's row with
    its organization's name (at 1,000,000 requests, 270 ms against 130)."""
    counts = (
        submitted.order_by()
        .values(org=F("organization_id"))
        .annotate(requests=Count("*"))
        .values("org", "requests")
    )
    inner, params = counts.query.sql_with_params()
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id, o.name, c.requests FROM ({inner}) AS c "
            f"JOIN {table} AS o ON o.id = c.org "
            "ORDER BY c.requests DESC, o.name LIMIT %s",
            [*params, TOP_ORGANIZATIONS],
        )
        return [
            OrganizationCount(pk=pk, name=name, requests=requests)
            for pk, name, requests in cursor.fetchall()
        ]


# The checklist's growth (issue 18): apart from the figures above, so that
# the other figures of the engagement can be added beside it.


@dataclass(frozen=True)
class ChecklistGrowthGroup:
    """The requests of one track submitted in one year (Israel time) that
    took the checklist: how many, how many took it again, and the average
    change per tool between the first and the latest taking of those."""

    track: Track
    year: int
    took: int
    retook: int
    change_by_tool: dict[int, float]


@dataclass(frozen=True)
class ChecklistGrowth:
    tools: list[PolicyTool]
    groups: list[ChecklistGrowthGroup]


def checklist_growth(
    *, user, filters: DashboardFilters, tracks: list[Track]
) -> ChecklistGrowth:
    """Growth measured by the checklist, per track and year, for the
    requests submitted in the period (the same scope and filters as the
    other figures). Three queries, whatever the number of requests."""
    submitted = _scope(user=user, filters=filters).filter(_submitted_in(filters))
    takers = list(
        submitted.filter(checklist_assessments__isnull=False)
        .annotate(takings=Count("checklist_assessments"))
        .values_list("pk", "track_id", "submitted_at", "takings")
    )
    later = ChecklistAssessment.objects.filter(
        consultation_id=OuterRef("assessment__consultation_id"),
        sequence__gt=OuterRef("assessment__sequence"),
    )
    # The first and the latest taking of each request that took it again.
    answers = (
        ChecklistAnswer.objects.filter(
            assessment__consultation__in=submitted.filter(
                checklist_assessments__sequence=2
            ).values("pk")
        )
        .filter(Q(assessment__sequence=1) | ~Exists(later))
        .values_list(
            "assessment__consultation_id", "assessment__sequence", "tool_id", "level"
        )
        .order_by()
    )
    levels: dict[int, dict[str, dict[int, int | None]]] = defaultdict(
        lambda: {"first": {}, "latest": {}}
    )
    for consultation_id, sequence, tool_id, level in answers:
        which = "first" if sequence == 1 else "latest"
        levels[consultation_id][which][tool_id] = level

    groups: dict[tuple[int, int], dict] = {}
    for pk, track_id, submitted_at, takings in takers:
        key = (track_id, to_local(moment=submitted_at).year)
        group = groups.setdefault(key, {"took": 0, "retook": 0, "changes": {}})
        group["took"] += 1
        if takings < 2:
            continue
        group["retook"] += 1
        first, latest = levels[pk]["first"], levels[pk]["latest"]
        for tool_id, level in latest.items():
            before = first.get(tool_id)
            if level is not None and before is not None:
                group["changes"].setdefault(tool_id, []).append(level - before)

    by_pk = {track.pk: track for track in tracks}
    position = {track.pk: index for index, track in enumerate(tracks)}
    return ChecklistGrowth(
        tools=list(PolicyTool.objects.order_by("order", "pk")),
        groups=[
            ChecklistGrowthGroup(
                track=by_pk[track_id],
                year=year,
                took=group["took"],
                retook=group["retook"],
                change_by_tool={
                    tool_id: round(sum(values) / len(values), 1)
                    for tool_id, values in group["changes"].items()
                },
            )
            for (track_id, year), group in sorted(
                groups.items(), key=lambda item: (position.get(item[0][0], 0), item[0])
            )
            if track_id in by_pk
        ],
    )
