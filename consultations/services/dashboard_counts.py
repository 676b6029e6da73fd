"""The staff dashboard's precomputed counts of requests by day of
submission, track, urgency, crisis and status, and the response times of
each whole month before the current one (models/dashboard.py).

The beat job (`daily_counts_rebuild`) counts every request submitted before
today, Israel time, and says so (`DailyCountsCoverage.covered_until`); the
dashboard reads those days from the counts and the days since live
(selectors/dashboard.py). A status change moves the coverage back to its
request's day (`daily_counts_request_changed`, called by
`apply_status_change`, the one place a status changes, and by
`consultation_mark_first_response`, the one place a first response is
recorded), so from then on that day and the days after it are counted live
until the job runs again: the figures are right after any status change or
first response, never a job late. The monthly
response times follow the same coverage, by whole months: the month of the
coverage's day and those after it are computed live. A month's stored
figures also stop being used at `stale_at`, when one of its unanswered
requests passes its deadline, until the job computes them again.

Changes that are not status changes (a request's track or urgency edited in
the admin, a request deleted) show in the figures at the job's next run; the
region filter is always counted live, an organization's region being
editable.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from consultations.business_time import ISRAEL_TZ, to_local
from consultations.models import (
    Consultation,
    DailyCountsCoverage,
    DailyRequestCount,
    MonthlyResponseFigures,
)
from consultations.selectors.dashboard import MAX_MONTHS, monthly_response_figures


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, ISRAEL_TZ)


@transaction.atomic
def daily_counts_rebuild(*, today: datetime.date | None = None) -> int:
    """Count again every request submitted before `today` (Israel time; by
    default the current day). Returns the number of count rows. The coverage
    row is locked first, so a status change that commits meanwhile waits and
    then moves the coverage back over what this count may have missed."""
    now = timezone.now()
    today = today or to_local(moment=now).date()
    coverage, _created = DailyCountsCoverage.objects.select_for_update().get_or_create(
        pk=DailyCountsCoverage.PK
    )
    DailyRequestCount.objects.all().delete()
    rows = (
        Consultation.objects.filter(submitted_at__lt=local_midnight(today))
        .annotate(day=TruncDate("submitted_at", tzinfo=ISRAEL_TZ))
        .order_by()
        .values("day", "track_id", "urgency", "is_crisis", "status")
        .annotate(count=Count("pk"))
    )
    created = DailyRequestCount.objects.bulk_create(
        (DailyRequestCount(**row) for row in rows.iterator()), batch_size=2000
    )
    _monthly_response_rebuild(today=today, now=now)
    coverage.covered_until = today
    coverage.save(update_fields=["covered_until"])
    return len(created)


def _monthly_response_rebuild(*, today: datetime.date, now: datetime.datetime) -> None:
    """The response times of each whole month before today's, as far back
    as the dashboard's longest period (PostgreSQL only: elsewhere the
    dashboard computes them live)."""
    MonthlyResponseFigures.objects.all().delete()
    if connection.vendor != "postgresql":
        return
    this_month = today.replace(day=1)
    rows = monthly_response_figures(
        since=this_month - relativedelta(months=MAX_MONTHS),
        until=this_month,
        now=now,
    )
    MonthlyResponseFigures.objects.bulk_create(
        (MonthlyResponseFigures(**row) for row in rows), batch_size=2000
    )


def daily_counts_request_changed(*, consultation: Consultation) -> None:
    """The request's status or first response changed: its day of
    submission, and the days after it (for the response times, its whole
    month), are counted live from now on (until the job runs again)."""
    day = to_local(moment=consultation.submitted_at).date()
    DailyCountsCoverage.objects.filter(
        pk=DailyCountsCoverage.PK, covered_until__gt=day
    ).update(covered_until=day)
