"""Response deadlines on the Israeli business calendar, and the response
policy staff edit in the admin.

Hand-checked dates: Rosh Hashana 2026 is Sat-Sun 12-13 Sep (eve Fri 11);
Pesach 2027 is Thu 22 Apr (eve Wed 21), chol hamoed from Fri 23 works.
Israel is UTC+3 in September and April.
"""

import datetime
import uuid

import pytest
import time_machine
from django.test import Client, override_settings

from consultations.business_time import ISRAEL_TZ, to_local
from consultations.models import ResponsePolicy
from consultations.selectors.followups import (
    first_response_due_at,
    response_policy_business_days,
    response_policy_for,
)
from consultations.services.followups import response_reminder_at
from consultations.services.intake import (
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
)
from tests.consultations.followup_support import israel, request_submitted_at
from tests.factories import ResponsePolicyFactory, catalog_track

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=ISRAEL_TZ)


def submit(track_slug: str = "project-consulting", urgency: str = "normal"):
    consultation, _token = consultation_submit(
        submission_key=uuid.uuid4(),
        organization=OrganizationDetails(
            name="עמותת בדיקה", kind="nonprofit", region="haifa"
        ),
        contact=ContactDetails(name="דנה לוי", email="dana@example.org"),
        track=catalog_track(track_slug),
        goal="לקדם מדיניות.",
        urgency=urgency,
        consent=True,
    )
    return consultation


def test_thursday_afternoon_before_rosh_hashana_is_due_the_next_thursday():
    """Thu 10 Sep 2026 15:30 is after the cutoff; Fri 11 (eve), Sat 12 and
    Sun 13 (Rosh Hashana) are off, so the clock starts Mon 14: three
    business days end Thu 17 Sep, one ends Tue 15 Sep."""
    submitted = israel(2026, 9, 10, 15, 30)
    assert first_response_due_at(submitted_at=submitted, is_urgent=False) == end_of(
        D(2026, 9, 17)
    )
    assert first_response_due_at(
        submitted_at=submitted, is_urgent=True, is_crisis=True
    ) == end_of(D(2026, 9, 15))


def test_thursday_afternoon_a_week_before_pesach_skips_the_eve_and_the_festival():
    """Thu 15 Apr 2027 16:00 counts from Sun 18: Mon 19, Tue 20, then Wed 21
    (eve) and Thu 22 (Pesach) are off and Sun 25 (chol hamoed) works."""
    due = first_response_due_at(
        submitted_at=israel(2027, 4, 15, 16, 0), is_urgent=False
    )
    assert due == end_of(D(2027, 4, 25))


@time_machine.travel(israel(2026, 9, 10, 15, 30), tick=False)
def test_intake_stores_the_deadline_of_the_policy(catalog):
    """A request submitted through intake gets the deadline the policy sets:
    the defaults first, then a general row, then the track's own row."""
    assert submit().first_response_due_at == end_of(D(2026, 9, 17))

    # Five days: Sun 20 (Yom Kippur eve) and Mon 21 (Yom Kippur) are off.
    ResponsePolicyFactory(urgency="normal", first_response_business_days=5)
    assert submit().first_response_due_at == end_of(D(2026, 9, 23))

    ResponsePolicyFactory(
        urgency="normal", track=catalog_track(), first_response_business_days=2
    )
    assert submit().first_response_due_at == end_of(D(2026, 9, 16))
    other = submit(track_slug="crisis")
    assert other.is_crisis
    assert other.first_response_due_at == end_of(D(2026, 9, 15))


def test_crisis_falls_back_to_the_urgent_policy_then_to_its_own(catalog):
    """Without a crisis row the urgent row applies; a crisis row wins."""
    assert response_policy_business_days(urgency="crisis") == 1
    ResponsePolicyFactory(urgency="urgent", first_response_business_days=2)
    assert response_policy_business_days(urgency="crisis") == 2
    ResponsePolicyFactory(urgency="crisis", first_response_business_days=1)
    assert response_policy_business_days(urgency="crisis") == 1
    assert response_policy_business_days(urgency="urgent") == 2


def test_one_general_policy_per_urgency_and_one_per_track(catalog):
    """The database refuses a second row for the same urgency and scope."""
    from django.core.exceptions import ValidationError

    ResponsePolicyFactory(urgency="normal")
    ResponsePolicyFactory(urgency="normal", track=catalog_track())
    for track in (None, catalog_track()):
        duplicate = ResponsePolicy(
            urgency="normal", track=track, first_response_business_days=4
        )
        with pytest.raises(ValidationError):
            duplicate.full_clean()


def test_reminder_is_on_the_morning_the_policy_names(catalog):
    """Due Thu 17 Sep 2026: by default the reminder is Wed 16 at 09:00
    Israel time; a policy of 0 days moves it to Thu 17 at 09:00."""
    consultation = request_submitted_at(israel(2026, 9, 10, 15, 30))
    assert response_reminder_at(consultation=consultation) == israel(2026, 9, 16, 9, 0)
    ResponsePolicyFactory(urgency="normal", reminder_business_days_before=0)
    assert response_reminder_at(consultation=consultation) == israel(2026, 9, 17, 9, 0)
    assert response_policy_for(urgency="normal").reminder_business_days_before == 0


@pytest.mark.django_db(transaction=True)
@time_machine.travel(israel(2026, 9, 10, 15, 30), tick=False)
def test_a_policy_edit_applies_to_the_next_request_though_policies_are_cached(
    catalog, django_assert_num_queries
):
    """Committed, as in production, where the policies come from the cache:
    the next request after a staff edit or deletion follows it."""
    response_policy_business_days(urgency="normal")
    with django_assert_num_queries(0):
        assert response_policy_business_days(urgency="normal") == 3

    policy = ResponsePolicyFactory(urgency="normal", first_response_business_days=5)
    assert submit().first_response_due_at == end_of(D(2026, 9, 23))

    policy.first_response_business_days = 2
    policy.save()
    assert submit().first_response_due_at == end_of(D(2026, 9, 16))

    policy.delete()
    assert submit().first_response_due_at == end_of(D(2026, 9, 17))


@pytest.mark.django_db(transaction=True)
def test_a_policy_edit_leaves_the_catalog_cached(catalog, django_assert_num_queries):
    """The policies are cached under a version of their own: saving or
    deleting one moves only that version on. A page that promises their
    response time (the request form) is rendered afresh with the catalog
    still from the cache, so at the cost of one query, the policies'; the
    next read of the policies finds the edit."""
    assert Client().get("/request/").status_code == 200
    assert response_policy_business_days(urgency="normal") == 3

    policy = ResponsePolicyFactory(urgency="normal", first_response_business_days=5)
    with django_assert_num_queries(1):
        assert Client().get("/request/").status_code == 200
    assert response_policy_business_days(urgency="normal") == 5

    policy.delete()
    with django_assert_num_queries(1):
        assert Client().get("/request/").status_code == 200
    assert response_policy_business_days(urgency="normal") == 3


def test_returned_datetimes_are_aware_utc():
    """Deadlines come back in UTC, ready to store; to_local shows Israel time."""
    due = first_response_due_at(submitted_at=local(2026, 6, 7, 9, 0), is_urgent=False)
    assert due.tzinfo is UTC
    assert due.utcoffset() == datetime.timedelta(0)
    shown = to_local(moment=due)
    assert shown.tzinfo is ISRAEL_TZ
    assert (shown.date(), shown.hour, shown.minute) == (D(2026, 6, 10), 23, 59)


def test_crisis_requests_are_due_in_one_business_day_others_in_three():
    """Thursday 8 Jan 2026 10:00: crisis due Sunday, normal due Tuesday."""
    submitted_at = local(2026, 1, 8, 10, 0)
    urgent = first_response_due_at(submitted_at=submitted_at, is_urgent=True)
    normal = first_response_due_at(submitted_at=submitted_at, is_urgent=False)
    assert urgent == end_of(D(2026, 1, 11))
    assert normal == end_of(D(2026, 1, 13))


@override_settings(
    FIRST_RESPONSE_BUSINESS_DAYS=5, URGENT_FIRST_RESPONSE_BUSINESS_DAYS=2
)
def test_response_day_counts_come_from_settings():
    """The day counts follow the settings when they are set."""
    submitted_at = local(2026, 1, 11, 10, 0)
    urgent = first_response_due_at(submitted_at=submitted_at, is_urgent=True)
    normal = first_response_due_at(submitted_at=submitted_at, is_urgent=False)
    assert urgent == end_of(D(2026, 1, 13))
    assert normal == end_of(D(2026, 1, 18))
