"""The Israeli business calendar, checked against the Hebrew calendar.

Dates (public category of ``holidays`` 0.109, matching the Hebrew calendar):
2026: Pesach Thu 2 Apr, seventh day Wed 8 Apr, Independence Day Wed 22 Apr,
Shavuot Fri 22 May, Rosh Hashana Sat-Sun 12-13 Sep, Yom Kippur Mon 21 Sep,
Sukkot Sat 26 Sep, Shemini Atzeret Sat 3 Oct.
2027: Pesach Thu 22 Apr, seventh day Wed 28 Apr, Independence Day Wed 12 May,
Shavuot Fri 11 Jun, Rosh Hashana Sat-Sun 2-3 Oct, Yom Kippur Mon 11 Oct,
Sukkot Sat 16 Oct, Shemini Atzeret Sat 23 Oct.
Israel is UTC+2 in winter and UTC+3 from 27 Mar to 25 Oct 2026.
"""

import datetime
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.business_time import (
    ISRAEL_TZ,
    add_business_days,
    business_days_before,
    business_days_between,
    is_business_day,
    next_business_day,
    to_local,
)
from consultations.selectors.followups import first_response_due_at
from tests.factories import ResponsePolicyFactory, catalog_track

UTC = datetime.UTC
D = datetime.date


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=ISRAEL_TZ)


def test_sunday_to_thursday_are_business_days_friday_and_saturday_are_not():
    """An ordinary week in January 2026 works Sunday 11 to Thursday 15."""
    week = [D(2026, 1, 11) + datetime.timedelta(days=i) for i in range(7)]
    assert [is_business_day(day=day) for day in week] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 4, 2),  # Pesach
        D(2026, 4, 8),  # Seventh day of Pesach
        D(2026, 4, 22),  # Independence Day
        D(2026, 9, 13),  # Rosh Hashana, second day, a Sunday
        D(2026, 9, 21),  # Yom Kippur, a Monday
        D(2027, 4, 22),  # Pesach
        D(2027, 5, 12),  # Independence Day
        D(2027, 10, 3),  # Rosh Hashana, second day, a Sunday
        D(2027, 10, 11),  # Yom Kippur, a Monday
    ],
)
def test_public_holidays_are_days_off(day):
    """A public holiday on a weekday is not a business day."""
    assert not is_business_day(day=day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 4, 1),  # Erev Pesach, Wednesday
        D(2026, 4, 7),  # Eve of the seventh day of Pesach, Tuesday
        D(2026, 4, 21),  # Eve of Independence Day (Remembrance Day), Tuesday
        D(2026, 5, 21),  # Erev Shavuot, Thursday
        D(2026, 9, 20),  # Erev Yom Kippur, Sunday
        D(2027, 4, 21),  # Erev Pesach, Wednesday
        D(2027, 4, 27),  # Eve of the seventh day of Pesach, Tuesday
        D(2027, 6, 10),  # Erev Shavuot, Thursday
        D(2027, 10, 10),  # Erev Yom Kippur, Sunday
    ],
)
def test_holiday_eves_are_days_off(day):
    """The day before a public holiday is not a business day."""
    assert not is_business_day(day=day)


@pytest.mark.parametrize(
    "day",
    [
        # Chol hamoed Sukkot 2026: Sunday 27 Sep to Thursday 1 Oct.
        D(2026, 9, 27),
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 1),
        # Chol hamoed Sukkot 2027: Sunday 17 Oct to Thursday 21 Oct.
        D(2027, 10, 17),
        D(2027, 10, 21),
        # Chol hamoed Pesach 2026 and 2027, before the seventh day's eve.
        D(2026, 4, 5),
        D(2026, 4, 6),
        D(2027, 4, 25),
        D(2027, 4, 26),
    ],
)
def test_chol_hamoed_weekdays_are_business_days(day):
    """The intermediate days of Sukkot and Pesach are working days."""
    assert is_business_day(day=day)


def test_next_business_day_is_strictly_after_and_skips_pesach():
    """From Tuesday 31 Mar 2026 the next business day is chol hamoed Sunday."""
    assert next_business_day(day=D(2026, 3, 31)) == D(2026, 4, 5)
    assert next_business_day(day=D(2026, 4, 6)) == D(2026, 4, 9)
    assert next_business_day(day=D(2026, 1, 11)) == D(2026, 1, 12)


def test_three_business_days_from_sunday_morning_end_on_wednesday():
    """Sunday 10:00 plus 3 is due at the end of Wednesday, Israel time."""
    due = add_business_days(moment=local(2026, 1, 11, 10, 0), days=3)
    assert due == end_of(D(2026, 1, 14))
    # Winter: the end of the Israeli day is 21:59:59.999999 UTC.
    assert due == utc(2026, 1, 14, 21, 59, 59, 999999)


def test_weekend_is_skipped():
    """Wednesday morning plus 3 runs Thursday, Sunday, Monday."""
    due = add_business_days(moment=local(2026, 1, 14, 9, 0), days=3)
    assert due == end_of(D(2026, 1, 19))


def test_request_on_a_weekend_counts_from_sunday():
    """A request on Saturday starts Sunday, so plus 1 is due Monday."""
    due = add_business_days(moment=local(2026, 1, 17, 9, 0), days=1)
    assert due == end_of(D(2026, 1, 19))


def test_request_around_erev_pesach_skips_eve_holiday_and_weekend():
    """Tuesday 31 Mar 2026 plus 1 is chol hamoed Sunday; plus 3 is Thursday
    9 Apr, skipping the seventh day of Pesach and its eve."""
    moment = local(2026, 3, 31, 10, 0)
    assert add_business_days(moment=moment, days=1) == end_of(D(2026, 4, 5))
    assert add_business_days(moment=moment, days=3) == end_of(D(2026, 4, 9))


def test_thursday_afternoon_before_yom_kippur():
    """Thursday 17 Sep 2026 at 15:00 starts Tuesday 22 Sep, after the weekend,
    Erev Yom Kippur and Yom Kippur; plus 3 crosses Sukkot's eve, Sukkot and
    the weekend into chol hamoed Sunday 27 Sep."""
    moment = local(2026, 9, 17, 15, 0)
    assert add_business_days(moment=moment, days=1) == end_of(D(2026, 9, 23))
    assert add_business_days(moment=moment, days=3) == end_of(D(2026, 9, 27))


def test_thursday_afternoon_before_rosh_hashana():
    """Thursday 10 Sep 2026 at 16:00 starts Monday 14 Sep, after Erev Rosh
    Hashana (Friday) and both days of Rosh Hashana (Saturday, Sunday)."""
    moment = local(2026, 9, 10, 16, 0)
    assert add_business_days(moment=moment, days=1) == end_of(D(2026, 9, 15))
    assert add_business_days(moment=moment, days=3) == end_of(D(2026, 9, 17))


def test_thursday_morning_before_rosh_hashana_counts_that_thursday():
    """Before the cutoff, Thursday 10 Sep 2026 is the start day itself."""
    due = add_business_days(moment=local(2026, 9, 10, 11, 0), days=1)
    assert due == end_of(D(2026, 9, 14))


@pytest.mark.parametrize(
    ("moment", "due_day"),
    [
        # Winter (UTC+2), Sunday 11 Jan 2026.
        (utc(2026, 1, 11, 11, 59), D(2026, 1, 12)),  # 13:59 local
        (utc(2026, 1, 11, 12, 0), D(2026, 1, 13)),  # 14:00 local
        (utc(2026, 1, 11, 12, 1), D(2026, 1, 13)),  # 14:01 local
        (utc(2026, 1, 11, 11, 30), D(2026, 1, 12)),  # 13:30 local
        # Summer (UTC+3), Sunday 7 Jun 2026.
        (utc(2026, 6, 7, 10, 59), D(2026, 6, 8)),  # 13:59 local
        (utc(2026, 6, 7, 11, 1), D(2026, 6, 9)),  # 14:01 local
        (utc(2026, 6, 7, 11, 30), D(2026, 6, 9)),  # 14:30 local
    ],
)
def test_two_pm_cutoff_in_israel_time_across_dst(moment, due_day):
    """The 14:00 cutoff is Israeli wall-clock time in winter and in summer;
    14:00 sharp already counts from the next business day."""
    assert add_business_days(moment=moment, days=1) == end_of(due_day)


def test_summer_due_moment_is_end_of_israeli_day_in_utc():
    """In summer the end of the Israeli day is 20:59:59.999999 UTC."""
    due = add_business_days(moment=utc(2026, 6, 7, 7, 0), days=3)
    assert due == utc(2026, 6, 10, 20, 59, 59, 999999)


def test_naive_datetimes_are_refused():
    """A naive datetime is ambiguous, so the calendar rejects it."""
    naive = datetime.datetime(2026, 1, 11, 10, 0)  # noqa: DTZ001
    with pytest.raises(
        ValueError, match=r"^A naive datetime has no place on the business calendar\.$"
    ):
        add_business_days(moment=naive, days=1)


def test_business_days_between_across_a_weekend():
    """Thursday to Sunday is one business day; Sunday to Sunday is five."""
    assert (
        business_days_between(
            start=local(2026, 1, 8, 16, 0), end=local(2026, 1, 11, 9, 0)
        )
        == 1
    )
    assert (
        business_days_between(
            start=local(2026, 1, 11, 9, 0), end=local(2026, 1, 18, 9, 0)
        )
        == 5
    )


def test_business_days_between_across_holidays():
    """Thursday 17 Sep to Thursday 1 Oct 2026 counts Tuesday 22 to Thursday
    24 and chol hamoed Sunday 27 to Thursday 1 Oct: eight business days."""
    assert (
        business_days_between(
            start=local(2026, 9, 17, 10, 0), end=local(2026, 10, 1, 10, 0)
        )
        == 8
    )


def test_business_days_between_is_zero_unless_end_is_a_later_date():
    """Going backwards, standing still or staying on the same date gives 0."""
    start = local(2026, 1, 11, 9, 0)
    assert business_days_between(start=start, end=start) == 0
    assert business_days_between(start=start, end=local(2026, 1, 8, 9, 0)) == 0
    assert business_days_between(start=start, end=local(2026, 1, 11, 18, 0)) == 0


@settings(max_examples=50, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime.datetime(2028, 12, 31, 23, 59),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    days=st.integers(min_value=1, max_value=10),
)
def test_deadline_is_a_later_business_day_n_business_days_on(moment, days):
    """The deadline falls on a business day after the moment, n business days
    after the start day; a moment after 14:00 or on a day off adds one, since
    its own date is not the start day."""
    due = add_business_days(moment=moment, days=days)
    moment_local = to_local(moment=moment)
    counts_today = is_business_day(
        day=moment_local.date()
    ) and moment_local.time() < datetime.time(14, 0)
    assert is_business_day(day=to_local(moment=due).date())
    assert due > moment
    expected = days if counts_today else days + 1
    assert business_days_between(start=moment, end=due) == expected


def test_business_days_before_steps_back_over_weekends_and_holidays():
    """One business day before Mon 14 Sep 2026 is Thu 10 Sep (Rosh Hashana
    and its eve in between); zero is the day itself."""
    assert business_days_before(day=D(2026, 9, 14), days=1) == D(2026, 9, 10)
    assert business_days_before(day=D(2026, 9, 14), days=0) == D(2026, 9, 14)
    assert business_days_before(day=D(2027, 4, 25), days=2) == D(2027, 4, 19)


def test_zero_business_days_is_the_end_of_the_start_day():
    """A policy of 0 days (allowed) is due at the end of the start day: the
    same day before 14:00, the next business day after it."""
    morning = add_business_days(moment=local(2026, 1, 11, 10, 0), days=0)
    assert morning == end_of(D(2026, 1, 11))
    afternoon = add_business_days(moment=local(2026, 1, 11, 15, 0), days=0)
    assert afternoon == end_of(D(2026, 1, 12))
    # Thursday afternoon: Friday and Saturday are days off.
    thursday = add_business_days(moment=local(2026, 1, 8, 15, 0), days=0)
    assert thursday == end_of(D(2026, 1, 11))


@pytest.mark.parametrize("days", [-1, -3])
def test_a_negative_number_of_business_days_is_refused(days):
    """Business days are counted forwards only: no deadline before its start."""
    with pytest.raises(
        ValueError, match=r"^Business days are counted forwards only\.$"
    ):
        add_business_days(moment=local(2026, 1, 11, 10, 0), days=days)


def test_the_deadline_does_not_depend_on_the_process_time_zone():
    """The end of the day is Israel's even in a process whose local time is
    another zone's (a worker started with TZ=UTC, say)."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        due = add_business_days(moment=local(2026, 1, 11, 10, 0), days=1)
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()
    assert due == end_of(D(2026, 1, 12))


@pytest.mark.django_db
def test_a_crisis_request_follows_the_crisis_policy_even_when_not_urgent():
    """Crisis outranks urgency: staff's crisis policy decides the deadline."""
    ResponsePolicyFactory(urgency="crisis", first_response_business_days=0)
    due = first_response_due_at(
        submitted_at=local(2026, 1, 11, 10, 0), is_urgent=False, is_crisis=True
    )
    assert due == end_of(D(2026, 1, 11))


@pytest.mark.django_db
def test_a_policy_for_the_track_overrides_the_policy_for_every_track():
    """A policy row that names the request's track decides its deadline."""
    track = catalog_track()
    ResponsePolicyFactory(urgency="normal", track=track, first_response_business_days=5)
    submitted_at = local(2026, 1, 11, 10, 0)  # Sunday
    with_track = first_response_due_at(
        submitted_at=submitted_at, is_urgent=False, track=track
    )
    without = first_response_due_at(submitted_at=submitted_at, is_urgent=False)
    assert with_track == end_of(D(2026, 1, 18))
    assert without == end_of(D(2026, 1, 14))
