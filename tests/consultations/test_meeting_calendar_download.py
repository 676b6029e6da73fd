"""The workspace offers each scheduled meeting's calendar file (.ics), the
same event as the invitations carry, to whoever may open the request: the
assigned advisor, and staff (a crisis request only with the crisis
permission). Anyone else gets 404; a visitor who is not signed in is sent
to sign in."""

from datetime import timedelta

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, Meeting
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def _meeting(advisor, **consultation_fields) -> Meeting:
    consultation = ConsultationFactory(
        history=False,
        status=Consultation.Status.IN_PROGRESS,
        advisor=advisor,
        **consultation_fields,
    )
    return Meeting.objects.create(
        consultation=consultation,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(days=3),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/shatil",
        sequence=2,
    )


def _url(meeting: Meeting) -> str:
    return reverse(
        "workspace:meeting_calendar",
        kwargs={"pk": meeting.consultation_id, "meeting_pk": meeting.pk},
    )


def test_the_assigned_advisor_downloads_the_meetings_calendar_file(client, advisor):
    meeting = _meeting(advisor)
    client.force_login(advisor)

    response = client.get(_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="meeting-{meeting.consultation.reference}.ics"'
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == meeting.ics_uid
    assert event["SEQUENCE"] == 2
    assert str(event["ORGANIZER"]) == f"mailto:{advisor.email}"


def test_the_request_page_links_to_the_file(client, advisor):
    meeting = _meeting(advisor)
    client.force_login(advisor)

    page = client.get(
        reverse("workspace:request_detail", args=[meeting.consultation_id])
    )

    assert _url(meeting) in page.content.decode()


def test_a_crisis_meetings_file_follows_the_crisis_rule(
    client, advisor, other_advisor, coordinator, plain_staff
):
    meeting = _meeting(advisor, is_crisis=True)
    url = _url(meeting)

    for user, status in [
        (advisor, 200),
        (coordinator, 200),
        (plain_staff, 404),
        (other_advisor, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
