"""The advisors' workspace pages: the list of my requests, the request page
and its forms, in the portal's look and all three languages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from consultations.business_time import ISRAEL_TZ
from consultations.models import (
    Consultation,
    InternalNote,
    Meeting,
    Message,
    OutboundEmail,
    StatusChange,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


@pytest.fixture
def assigned(advisor):
    """Assigned, so answered: the assignment notice was the first response."""
    return ConsultationFactory(
        history=False,
        status=Status.ASSIGNED,
        advisor=advisor,
        first_responded_at=timezone.now(),
    )


def _detail(consultation, name="request_detail", language="he"):
    with translation.override(language):
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk})


def test_my_requests_lists_open_requests_urgent_first_then_oldest(
    advisor_client, advisor, other_advisor
):
    now = timezone.now()
    old = ConsultationFactory(
        history=False,
        status=Status.IN_PROGRESS,
        advisor=advisor,
        submitted_at=now - timedelta(10),
    )
    recent = ConsultationFactory(history=False, status=Status.ASSIGNED, advisor=advisor)
    urgent = ConsultationFactory(
        history=False,
        status=Status.ASSIGNED,
        advisor=advisor,
        urgency=Consultation.Urgency.URGENT,
    )
    ConsultationFactory(history=False, status=Status.COMPLETED, advisor=advisor)
    not_mine = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=other_advisor
    )

    response = advisor_client.get(reverse("workspace:my_requests"))

    assert response.status_code == 200
    listed = [row[0] for row in response.context["rows"]]
    assert listed == [urgent, old, recent]
    assert not_mine.reference not in response.content.decode()


def test_the_closed_tab_lists_finished_requests(advisor_client, advisor, assigned):
    done = ConsultationFactory(history=False, status=Status.COMPLETED, advisor=advisor)

    response = advisor_client.get(reverse("workspace:my_requests") + "?show=closed")

    assert [row[0] for row in response.context["rows"]] == [done]


def test_the_next_step_is_the_next_meeting(advisor_client, advisor, assigned):
    starts_at = timezone.now() + timedelta(days=2)
    Meeting.objects.create(
        consultation=assigned,
        advisor=advisor,
        starts_at=starts_at,
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/x",
    )

    response = advisor_client.get(reverse("workspace:my_requests"))

    ((_, next_step),) = response.context["rows"]
    assert next_step.due == starts_at


@pytest.mark.parametrize(
    ("language", "direction"), [("he", "rtl"), ("ar", "rtl"), ("en", "ltr")]
)
def test_workspace_pages_render_in_each_language(
    advisor_client, assigned, language, direction
):
    with translation.override(language):
        urls = [
            reverse("workspace:my_requests"),
            reverse("workspace:request_detail", kwargs={"pk": assigned.pk}),
        ]
    for url in urls:
        response = advisor_client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}" dir="{direction}"' in response.content.decode()


def test_the_request_page_shows_the_request_and_its_contact(advisor_client, assigned):
    response = advisor_client.get(_detail(assigned))

    content = response.content.decode()
    assert assigned.goal in content
    assert assigned.contact_email in content
    assert assigned.organization.name in content
    # Only the statuses the table allows from "assigned", as buttons; waiting,
    # completing and declining have their own forms, for the note or outcome.
    values = [value for value, _label in response.context["status_actions"]]
    assert values == [Status.IN_PROGRESS]
    assert response.context["can_wait"]
    assert response.context["can_decline"]
    assert response.context["can_complete"]


def test_portal_pages_have_no_inline_style_or_script(advisor_client, assigned):
    for url in (reverse("workspace:my_requests"), _detail(assigned)):
        content = advisor_client.get(url).content.decode()
        assert "style=" not in content
        assert "<script>" not in content
        assert "onclick" not in content


def test_adding_a_note(advisor_client, assigned):
    response = advisor_client.post(
        _detail(assigned, "note_add"), {"note-body": "Called the director."}
    )

    assert response.status_code == 302
    assert InternalNote.objects.get().body == "Called the director."


def test_an_empty_note_shows_the_error_on_the_page(advisor_client, assigned):
    response = advisor_client.post(_detail(assigned, "note_add"), {"note-body": ""})

    assert response.status_code == 400
    assert response.context["note_form"].errors
    assert not InternalNote.objects.exists()


def test_sending_a_message(advisor_client, assigned):
    response = advisor_client.post(
        _detail(assigned, "message_send"), {"message-body": "Shall we meet Sunday?"}
    )

    assert response.status_code == 302
    assert Message.objects.get().body == "Shall we meet Sunday?"
    assert OutboundEmail.objects.filter(kind="message_to_org").count() == 1


def test_logging_a_meeting_in_israel_time(advisor_client, assigned):
    day = (timezone.now() + timedelta(days=5)).astimezone(ISRAEL_TZ).date()

    response = advisor_client.post(
        _detail(assigned, "meeting_add"),
        {
            "meeting-date": day.isoformat(),
            "meeting-time": "09:30",
            "meeting-duration_minutes": "90",
            "meeting-mode": "in_person",
            "meeting-location_or_link": "Shatil, 9 Yad Harutzim, Jerusalem",
            "meeting-summary": "",
        },
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    local = meeting.starts_at.astimezone(ISRAEL_TZ)
    assert (local.date(), local.hour, local.minute) == (day, 9, 30)
    assert meeting.duration == timedelta(minutes=90)
    assert OutboundEmail.objects.filter(kind="meeting").count() == 1


def test_a_meeting_without_a_place_is_refused_with_the_form(advisor_client, assigned):
    response = advisor_client.post(
        _detail(assigned, "meeting_add"),
        {"meeting-date": "2030-01-01", "meeting-time": "10:00"},
    )

    assert response.status_code == 400
    assert "location_or_link" in response.context["meeting_form"].errors
    assert not Meeting.objects.exists()


def test_moving_and_cancelling_a_meeting(advisor_client, advisor, assigned):
    meeting = Meeting.objects.create(
        consultation=assigned,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(days=3),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/x",
    )
    day = (timezone.now() + timedelta(days=4)).astimezone(ISRAEL_TZ).date()
    kwargs = {"pk": assigned.pk, "meeting_pk": meeting.pk}

    page = advisor_client.get(reverse("workspace:meeting_reschedule", kwargs=kwargs))
    assert page.status_code == 200
    moved = advisor_client.post(
        reverse("workspace:meeting_reschedule", kwargs=kwargs),
        {
            "date": day.isoformat(),
            "time": "11:00",
            "duration_minutes": "60",
            "location_or_link": "https://meet.example.org/y",
        },
    )
    cancelled = advisor_client.post(reverse("workspace:meeting_cancel", kwargs=kwargs))

    assert moved.status_code == cancelled.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.location_or_link == "https://meet.example.org/y"


def test_status_buttons_go_through_the_services(advisor_client, assigned):
    advisor_client.post(
        _detail(assigned, "status_change"), {"to_status": "in_progress"}
    )
    advisor_client.post(
        _detail(assigned, "complete"), {"complete-outcome": "skills_gained"}
    )

    assigned.refresh_from_db()
    assert assigned.status == Status.COMPLETED
    assert list(
        StatusChange.objects.filter(consultation=assigned).values_list(
            "from_status", "to_status"
        )
    ) == [("assigned", "in_progress"), ("in_progress", "completed")]


@pytest.mark.parametrize(
    "to_status", ["new", "assigned", "withdrawn", "in_triage", "x"]
)
def test_a_status_outside_the_buttons_is_refused(advisor_client, assigned, to_status):
    response = advisor_client.post(
        _detail(assigned, "status_change"), {"to_status": to_status}, follow=True
    )

    assert response.status_code == 200
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED
    assert not StatusChange.objects.exists()


def test_declining_needs_a_note(advisor_client, assigned):
    refused = advisor_client.post(_detail(assigned, "decline"), {"decline-note": ""})
    declined = advisor_client.post(
        _detail(assigned, "decline"), {"decline-note": "Outside our tracks."}
    )

    assert refused.status_code == 400
    assert declined.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == Status.DECLINED


def test_staff_open_any_request_from_the_workspace(client, coordinator, assigned):
    client.force_login(coordinator)

    assert client.get(_detail(assigned)).status_code == 200


def test_the_advisor_list_costs_the_same_queries_for_few_or_many_rows(
    advisor_client, advisor, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("workspace:my_requests")
    ConsultationFactory(history=False, status=Status.ASSIGNED, advisor=advisor)
    with CaptureQueriesContext(connection) as few:
        advisor_client.get(url)

    for _ in range(30):
        consultation = ConsultationFactory(
            history=False, status=Status.IN_PROGRESS, advisor=advisor
        )
        Meeting.objects.create(
            consultation=consultation,
            advisor=advisor,
            starts_at=timezone.now() + timedelta(days=1),
            mode=Meeting.Mode.ONLINE,
            location_or_link="x",
        )
    with CaptureQueriesContext(connection) as many:
        response = advisor_client.get(url)

    assert len(response.context["rows"]) == 31
    assert len(many) == len(few)


def test_the_request_page_costs_the_same_queries_however_long_its_history(
    advisor_client, advisor, assigned
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        advisor_client.get(_detail(assigned))
    for number in range(10):
        InternalNote.objects.create(consultation=assigned, author=advisor, body="n")
        Message.objects.create(
            consultation=assigned, direction="out", author=advisor, body=str(number)
        )
        StatusChange.objects.create(
            consultation=assigned, actor=advisor, from_status="new", to_status="new"
        )
    with CaptureQueriesContext(connection) as long:
        advisor_client.get(_detail(assigned))

    assert len(long) == len(short)


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2999-01-01", "x"])
def test_a_meeting_date_far_from_today_is_refused_not_a_crash(
    advisor_client, assigned, date
):
    response = advisor_client.post(
        _detail(assigned, "meeting_add"),
        {
            "meeting-date": date,
            "meeting-time": "23:30",
            "meeting-duration_minutes": "120",
            "meeting-mode": "online",
            "meeting-location_or_link": "https://meet.example.org/x",
        },
    )

    assert response.status_code == 400
    assert "date" in response.context["meeting_form"].errors
    assert not Meeting.objects.exists()


def test_cancelling_a_meeting_asks_first(advisor_client, advisor, assigned):
    """The request page links to a confirmation page; opening it cancels
    nothing and emails nothing; its form cancels, once posted."""
    meeting = Meeting.objects.create(
        consultation=assigned,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(days=3),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/x",
    )
    cancel_url = reverse(
        "workspace:meeting_cancel", kwargs={"pk": assigned.pk, "meeting_pk": meeting.pk}
    )
    emails_before = OutboundEmail.objects.count()
    detail = advisor_client.get(_detail(assigned)).content.decode()
    assert f'href="{cancel_url}"' in detail
    assert f'action="{cancel_url}"' not in detail

    confirmation = advisor_client.get(cancel_url)

    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert f'<form method="post" action="{cancel_url}"' in page
    assert _detail(assigned) in page  # the way back keeps the meeting
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert OutboundEmail.objects.count() == emails_before

    assert advisor_client.post(cancel_url).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
