"""The Israeli business calendar behind response deadlines.

Working days run Sunday to Thursday. Public holidays from the ``holidays``
library (its default, public category) are days off, and so are their eves;
chol hamoed of Sukkot and Passover stays a working day because the library
lists it only under the optional category. Moments are stored in UTC and read
in Asia/Jerusalem; a moment after 14:00 there, or on a day off, counts from
the next business day (DECISIONS.md, "Time").

A pure calendar: it imports nothing of the project (pyproject.toml's
import-linter contract), so the response policy that sets a request's
deadline is read in selectors/followups.py (``first_response_due_at``).
"""

import datetime
import functools
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

ISRAEL_TZ = ZoneInfo("Asia/Jerusalem")
CUTOFF = datetime.time(14, 0)
# Python's weekday(): Monday is 0, so Friday is 4 and Saturday 5.
WEEKEND = frozenset({4, 5})
ONE_DAY = datetime.timedelta(days=1)


@functools.lru_cache(maxsize=32)
def _days_off(year: int) -> frozenset[datetime.date]:
    """Holidays and holiday eves falling in ``year``."""
    # Next year's holidays too, so that an eve on 31 December is not missed.
    public = holidays.country_holidays(
        "IL", years=(year, year + 1), categories=(holidays.PUBLIC,)
    )
    days = set(public) | {holiday - ONE_DAY for holiday in public}
    return frozenset(day for day in days if day.year == year)


def to_local(*, moment: datetime.datetime) -> datetime.datetime:
    """Return an aware ``moment`` in Israel time."""
    if moment.tzinfo is None:
        raise ValueError("A naive datetime has no place on the business calendar.")
    return moment.astimezone(ISRAEL_TZ)


def is_business_day(*, day: datetime.date) -> bool:
    return day.weekday() not in WEEKEND and day not in _days_off(day.year)


def next_business_day(*, day: datetime.date) -> datetime.date:
    """Return the first business day strictly after ``day``."""
    day += ONE_DAY
    while not is_business_day(day=day):
        day += ONE_DAY
    return day


def _start_day(*, moment: datetime.datetime) -> datetime.date:
    """Return the business day from which a request made at ``moment`` counts."""
    local = to_local(moment=moment)
    if is_business_day(day=local.date()) and local.time() < CUTOFF:
        return local.date()
    return next_business_day(day=local.date())


def add_business_days(*, moment: datetime.datetime, days: int) -> datetime.datetime:
    """Return the end of the ``days``-th business day after the start day, in UTC.

    The start day is the moment's Israeli date when that is a business day
    and the clock there reads before 14:00, else the next business day. So
    Sunday 10:00 plus 3 is due at the end of Wednesday, and Thursday 15:00
    plus 1 at the end of Monday. The end of a day is its last microsecond,
    Israel time.
    """
    if days < 0:
        raise ValueError("Business days are counted forwards only.")
    day = _start_day(moment=moment)
    for _ in range(days):
        day = next_business_day(day=day)
    end_of_day = datetime.datetime.combine(day, datetime.time.max, tzinfo=ISRAEL_TZ)
    return end_of_day.astimezone(datetime.UTC)


def business_days_between(*, start: datetime.datetime, end: datetime.datetime) -> int:
    """Count the business days after ``start``'s Israeli date, up to and
    including ``end``'s Israeli date; 0 when ``end`` is not after ``start``.

    Time of day and the 14:00 cutoff play no part: this measures calendar
    distance, e.g. how many business days a request has been waiting.
    """
    if end <= start:
        return 0
    day = to_local(moment=start).date()
    last = to_local(moment=end).date()
    count = 0
    while day < last:
        day += ONE_DAY
        count += is_business_day(day=day)
    return count


def business_morning(*, day: datetime.date) -> datetime.datetime:
    """The start of the working day on `day`, Israel time, in UTC."""
    start = datetime.time(settings.FOLLOWUP_WORKDAY_START_HOUR)
    return datetime.datetime.combine(day, start, tzinfo=ISRAEL_TZ).astimezone(
        datetime.UTC
    )


def business_day_after(*, moment: datetime.datetime, days: int) -> datetime.date:
    """The `days`-th business day after `moment`'s Israeli date, so that
    business_days_between(moment, that day) == days."""
    day = to_local(moment=moment).date()
    for _step in range(days):
        day = next_business_day(day=day)
    return day


def business_days_before(*, day: datetime.date, days: int) -> datetime.date:
    """The business day `days` business days before `day` (itself for 0)."""
    while days > 0:
        day -= datetime.timedelta(days=1)
        days -= is_business_day(day=day)
    return day
