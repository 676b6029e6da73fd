"""My requests says what is next on every row, with its due time: the first
response deadline, the next meeting, or the next follow-up (an organization
waited on is nudged then), in a fixed number of queries however many rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation, FollowUp, Meeting
from tests.consultations.conftest import ConsultationFactory
from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


def _rows(client):
    response = client.get(reverse("workspace:my_requests"))
    return {row[0].pk: row[1] for row in response.context["rows"]}, response


def _requests(advisor, count):
    now = timezone.now()
    made = []
    for n in range(count):
        waiting = ConsultationFactory(
            status=Status.WAITING_FOR_ORGANIZATION,
            advisor=advisor,
            first_responded_at=now,
        )
        FollowUpFactory(
            consultation=waiting,
            kind=FollowUp.Kind.WAITING_NUDGE,
            scheduled_at=now + timedelta(days=3 + n),
        )
        met = ConsultationFactory(
            status=Status.IN_PROGRESS, advisor=advisor, first_responded_at=now
        )
        Meeting.objects.create(
            consultation=met,
            advisor=advisor,
            starts_at=now + timedelta(days=1),
            mode=Meeting.Mode.ONLINE,
            location_or_link="https://meet.example.org/x",
        )
        new = ConsultationFactory(status=Status.ASSIGNED, advisor=advisor)
        made.append((waiting, met, new))
    return made


def test_each_row_has_a_next_step_with_its_due_time(advisor_client, advisor):
    ((waiting, met, new),) = _requests(advisor, 1)
    nudge = waiting.followups.get()
    silent = ConsultationFactory(
        status=Status.IN_PROGRESS, advisor=advisor, first_responded_at=timezone.now()
    )
    check_in = FollowUpFactory(
        consultation=silent,
        kind=FollowUp.Kind.WAITING_ADVISOR,
        scheduled_at=timezone.now() + timedelta(days=5),
    )
    FollowUpFactory(
        consultation=silent,
        kind=FollowUp.Kind.WAITING_ADVISOR,
        scheduled_at=timezone.now() + timedelta(days=1),
        status=FollowUp.Status.CANCELLED,
        sequence=2,
    )

    rows, response = _rows(advisor_client)

    assert rows[waiting.pk].due == nudge.scheduled_at
    assert rows[met.pk].due == met.meetings.get().starts_at
    assert rows[new.pk].due == new.first_response_due_at
    assert rows[silent.pk].due == check_in.scheduled_at
    with translation.override("he"):
        assert rows[silent.pk].label == str(FollowUp.Kind.WAITING_ADVISOR.label)
    # The table shows a label and a time in every row.
    table = response.content.decode().split("<tbody>")[1]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        last_cell = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]
        assert "<time" in last_cell and re.sub(r"<[^>]+>|\s", "", last_cell)


def test_my_requests_costs_the_same_queries_for_few_or_many_rows(
    advisor_client, advisor
):
    _requests(advisor, 1)
    with CaptureQueriesContext(connection) as few:
        _rows(advisor_client)
    _requests(advisor, 4)
    with CaptureQueriesContext(connection) as many:
        rows, _ = _rows(advisor_client)

    assert len(rows) == 15
    assert len(many) == len(few)
