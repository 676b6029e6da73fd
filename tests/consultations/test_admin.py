"""Staff triage in the admin: the request list and its cost, the request
page with suggestions and status buttons, the actions (bulk assignment,
status changes, CSV export) and the outbox and advisor pages."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations.admin.triage import ConsultationAdmin
from consultations.models import (
    AdvisorProfile,
    Consultation,
    InternalNote,
    Message,
    OutboundEmail,
    StatusChange,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
CHANGELIST = "admin:consultations_consultation_changelist"


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _change_url(consultation):
    return reverse("admin:consultations_consultation_change", args=[consultation.pk])


def _listed(response):
    return list(response.context["cl"].result_list)


def _action(client, action, consultations, **extra):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [c.pk for c in consultations],
            **extra,
        },
    )


def test_the_list_is_in_hebrew_right_to_left_with_the_triage_columns(staff_client):
    ConsultationFactory(history=False)

    response = staff_client.get(reverse(CHANGELIST))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="he" dir="rtl"' in content
    assert list(response.context["cl"].list_display)[1:] == [
        "reference",
        "organization_name",
        "track",
        "urgency",
        "status",
        "advisor_name",
        "age_in_days",
        "is_overdue",
        "is_crisis",
    ]


def test_the_list_shows_open_requests_crisis_first_then_by_deadline(staff_client):
    now = timezone.now()
    later = ConsultationFactory(history=False, first_response_due_at=now + timedelta(3))
    overdue = ConsultationFactory(
        history=False, first_response_due_at=now - timedelta(1)
    )
    crisis = ConsultationFactory(
        history=False, crisis=True, first_response_due_at=now + timedelta(1)
    )
    ConsultationFactory(history=False, status=Status.COMPLETED)

    response = staff_client.get(reverse(CHANGELIST))

    assert _listed(response) == [crisis, overdue, later]


def test_filtering_by_status_overrides_the_open_default(staff_client):
    done = ConsultationFactory(history=False, status=Status.COMPLETED)
    ConsultationFactory(history=False)

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "completed"})

    assert _listed(response) == [done]


def test_filters_by_region_advisor_and_search(staff_client, advisor):
    from tests.factories import OrganizationFactory

    south = ConsultationFactory(
        history=False,
        organization=OrganizationFactory(region="south", name="עמותת הנגב הירוק"),
    )
    mine = ConsultationFactory(history=False, status=Status.ASSIGNED, advisor=advisor)
    by_email = ConsultationFactory(history=False, contact_email="findme@example.org")

    def listed(params):
        return _listed(staff_client.get(reverse(CHANGELIST), params))

    assert listed({"organization__region__exact": "south"}) == [south]
    assert listed({"advisor": str(advisor.pk)}) == [mine]
    assert mine not in listed({"advisor": "none"})
    assert listed({"q": "findme@"}) == [by_email]
    assert listed({"q": "הנגב הירוק"}) == [south]


def test_the_inactive_advisors_work_is_listed_for_reassignment(staff_client, advisor):
    held = ConsultationFactory(
        history=False, status=Status.IN_PROGRESS, advisor=advisor
    )
    ConsultationFactory(history=False)
    AdvisorProfile.objects.filter(user=advisor).update(is_active=False)

    response = staff_client.get(reverse(CHANGELIST), {"reassign": "yes"})

    assert _listed(response) == [held]


def test_the_list_costs_the_same_queries_for_few_or_many_rows(
    staff_client, make_advisor
):
    advisors = [make_advisor() for _ in range(3)]
    ConsultationFactory(history=False)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse(CHANGELIST))

    for number in range(45):
        ConsultationFactory(
            history=False,
            status=Status.ASSIGNED if number % 2 else Status.NEW,
            advisor=advisors[number % 3] if number % 2 else None,
            crisis=number % 7 == 0,
        )
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(reverse(CHANGELIST))

    # A full page (46 requests, more than list_per_page) and its row markup.
    assert len(_listed(response)) == ConsultationAdmin.list_per_page
    assert response.content.decode().count('class="action-select"') == len(
        _listed(response)
    )
    assert len(many) == len(few)


def test_the_request_page_is_read_only_with_suggestions_and_status_buttons(
    staff_client, advisor
):
    consultation = ConsultationFactory(history=False)

    response = staff_client.get(_change_url(consultation))

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    suggestions = response.context["triage_suggestions"]
    assert [s.advisor for s in suggestions] == [advisor]
    assert [value for value, _ in response.context["triage_status_actions"]] == [
        "in_triage"
    ]
    content = response.content.decode()
    assert consultation.goal in content
    assert (
        reverse("admin:consultations_consultation_assign", args=[consultation.pk])
        in content
    )


def test_one_click_assignment_from_the_request_page(staff_client, advisor):
    consultation = ConsultationFactory(history=False)

    response = staff_client.post(
        reverse("admin:consultations_consultation_assign", args=[consultation.pk]),
        {"advisor": advisor.pk},
    )

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.ASSIGNED
    assert consultation.advisor == advisor


def test_reassigning_from_the_request_page_is_an_explicit_action(
    staff_client, advisor, other_advisor
):
    """The panel of an assigned request offers reassignment, and says so in
    what it posts."""
    consultation = ConsultationFactory(
        history=False, status=Status.IN_PROGRESS, advisor=advisor
    )

    staff_client.post(
        reverse("admin:consultations_consultation_assign", args=[consultation.pk]),
        {"advisor": other_advisor.pk, "intent": "reassign"},
    )

    consultation.refresh_from_db()
    assert consultation.advisor == other_advisor
    assert consultation.status == Status.IN_PROGRESS


def test_a_get_on_the_assign_url_changes_nothing(staff_client, advisor):
    consultation = ConsultationFactory(history=False)

    staff_client.get(
        reverse("admin:consultations_consultation_assign", args=[consultation.pk]),
        {"advisor": advisor.pk},
    )

    consultation.refresh_from_db()
    assert consultation.advisor is None


def test_status_buttons_and_the_decline_page(staff_client):
    consultation = ConsultationFactory(history=False)
    status_url = reverse(
        "admin:consultations_consultation_status", args=[consultation.pk]
    )
    decline_url = reverse(
        "admin:consultations_consultation_decline", args=[consultation.pk]
    )

    staff_client.post(status_url, {"to_status": "in_triage"})
    illegal = staff_client.post(status_url, {"to_status": "completed"}, follow=True)
    to_decline = staff_client.post(status_url, {"to_status": "declined"})
    form_page = staff_client.get(decline_url)
    no_note = staff_client.post(decline_url, {"note": ""})
    staff_client.post(decline_url, {"note": "Outside our tracks."})

    consultation.refresh_from_db()
    assert to_decline["Location"] == decline_url
    assert form_page.status_code == no_note.status_code == 200
    assert consultation.status == Status.DECLINED
    assert list(
        StatusChange.objects.values_list("from_status", "to_status", "note")
    ) == [("new", "in_triage", ""), ("in_triage", "declined", "Outside our tracks.")]
    messages = [str(m) for m in illegal.context["messages"]]
    assert any(m.level_tag == "error" for m in illegal.context["messages"]), messages


def _inline_management_data(response):
    """The management forms of every inline on an admin change page."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            key = formset.management_form.add_prefix(name)
            data[key] = formset.management_form.initial.get(name, field.initial) or 0
    return data


def test_notes_and_messages_added_on_the_request_page_go_through_the_services(
    staff_client, coordinator
):
    consultation = ConsultationFactory(history=False)
    page = staff_client.get(_change_url(consultation))
    data = _inline_management_data(page)
    prefixes = {
        inline.formset.model: inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.has_add_permission
    }
    data[f"{prefixes[InternalNote]}-0-body"] = "Checked their registration."
    data[f"{prefixes[Message]}-0-body"] = "Could you tell us more about the deadline?"

    response = staff_client.post(_change_url(consultation), data)

    assert response.status_code == 302, response.context and response.context.get(
        "errors"
    )
    note = InternalNote.objects.get()
    assert (note.author, note.body) == (coordinator, "Checked their registration.")
    message = Message.objects.get()
    assert message.direction == Message.Direction.TO_ORGANIZATION
    assert OutboundEmail.objects.filter(kind="message_to_org").count() == 1
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW
    assert consultation.first_responded_at is not None


def test_bulk_assignment_recounts_loads_after_each_request(staff_client, make_advisor):
    first = make_advisor(first_name="First", capacity=2)
    second = make_advisor(first_name="Second", capacity=2)
    requests = [ConsultationFactory(history=False) for _ in range(5)]

    _action(staff_client, "assign_suggested_advisor", requests)

    assigned = {first: 0, second: 0}
    for consultation in requests:
        consultation.refresh_from_db()
        if consultation.advisor:
            assigned[consultation.advisor] += 1
    # Alternating by load and round robin, and never past capacity: the
    # fifth request finds nobody with room and stays new.
    assert assigned == {first: 2, second: 2}
    assert sum(c.status == Status.NEW for c in requests) == 1
    assert OutboundEmail.objects.filter(kind="assignment").count() == 4


def test_bulk_assignment_skips_requests_that_already_have_an_advisor(
    staff_client, advisor, other_advisor
):
    held = ConsultationFactory(
        history=False, status=Status.IN_PROGRESS, advisor=other_advisor
    )

    response = _action(staff_client, "assign_suggested_advisor", [held])

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.advisor == other_advisor


def test_the_status_actions_apply_the_services_one_by_one(staff_client, advisor):
    new = ConsultationFactory(history=False)
    assigned = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    _action(staff_client, "start_progress", [new, assigned])

    new.refresh_from_db()
    assigned.refresh_from_db()
    assert new.status == Status.NEW
    assert assigned.status == Status.IN_PROGRESS
    assert StatusChange.objects.count() == 1


def test_the_decline_action_asks_for_a_note_first(staff_client):
    consultations = [
        ConsultationFactory(history=False),
        ConsultationFactory(history=False),
    ]

    asked = _action(staff_client, "decline_selected", consultations)
    assert asked.status_code == 200
    assert Consultation.objects.filter(status=Status.DECLINED).count() == 0

    _action(
        staff_client, "decline_selected", consultations, apply="1", note="Not for us."
    )
    assert Consultation.objects.filter(status=Status.DECLINED).count() == 2
    assert OutboundEmail.objects.filter(kind="declined").count() == 2


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_exporting_the_selected_requests_as_csv_with_a_byte_order_mark(staff_client):
    chosen = ConsultationFactory(history=False, contact_name="דנה לוי")
    ConsultationFactory(history=False)

    response = _action(staff_client, "export_selected", [chosen])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert len(header) == len(rows[0])
    assert [row[0] for row in rows] == [chosen.reference]
    assert "דנה לוי" in rows[0]


def test_exporting_the_filtered_list(staff_client):
    done = ConsultationFactory(history=False, status=Status.COMPLETED)
    ConsultationFactory(history=False)

    with translation.override("he"):
        url = reverse("admin:consultations_consultation_export")
    response = staff_client.get(url, {"status__exact": "completed"})

    _, *rows = _csv_rows(response)
    assert [row[0] for row in rows] == [done.reference]


def test_the_outbox_never_shows_an_emails_context(staff_client):
    email = OutboundEmail.objects.create(
        kind="password_reset",
        dedup_key="password_reset:x",
        to_address="someone@example.org",
        context={"secret_reset_url": "https://portal/reset/SECRET-TOKEN/"},
        next_attempt_at=timezone.now(),
    )

    listed = staff_client.get(reverse("admin:consultations_outboundemail_changelist"))
    page = staff_client.get(
        reverse("admin:consultations_outboundemail_change", args=[email.pk])
    )

    for response in (listed, page):
        assert response.status_code == 200
        assert "SECRET-TOKEN" not in response.content.decode()


def test_failed_and_stuck_emails_can_be_sent_again(staff_client):
    rows = {
        status: OutboundEmail.objects.create(
            kind="confirmation",
            dedup_key=f"confirmation:{status}",
            to_address="x@example.org",
            status=status,
            next_attempt_at=timezone.now(),
        )
        for status in ("failed", "sending", "sent")
    }

    response = staff_client.post(
        reverse("admin:consultations_outboundemail_changelist"),
        {
            "action": "send_again",
            ACTION_CHECKBOX_NAME: [row.pk for row in rows.values()],
        },
        follow=True,
    )

    for row in rows.values():
        row.refresh_from_db()
    assert rows["failed"].status == rows["sending"].status == "pending"
    assert rows["sent"].status == "sent"
    # One summary line, and the refused row named with its reason.
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 2
    assert shown[1].startswith(f"{rows['sent']}: ")


def test_an_advisor_profile_is_edited_with_check_boxes(staff_client, coordinator):
    from tests.factories import UserFactory
    from tracks.models import Track

    user = UserFactory(username="new-advisor")
    track = Track.objects.first()

    response = staff_client.post(
        reverse("admin:consultations_advisorprofile_add"),
        {
            "user": user.pk,
            "tracks": [track.pk],
            "languages": ["he", "ar"],
            "preferred_language": "en",
            "regions": ["north", "haifa"],
            "capacity": 4,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    profile = AdvisorProfile.objects.get(user=user)
    assert profile.languages == ["he", "ar"]
    # The language of the advisor's emails, chosen apart from those spoken.
    assert profile.preferred_language == "en"
    assert profile.regions == ["north", "haifa"]
    assert list(profile.tracks.all()) == [track]
    listed = staff_client.get(reverse("admin:consultations_advisorprofile_changelist"))
    assert "0/4" in listed.content.decode()


def test_the_list_filters_and_pages_render_for_staff(staff_client, advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )
    for url in (
        reverse("admin:consultations_organization_changelist"),
        reverse("admin:consultations_advisorprofile_changelist"),
        reverse(
            "admin:consultations_advisorprofile_change",
            args=[advisor.advisor_profile.pk],
        ),
        _change_url(consultation),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_the_request_page_shows_the_organization_as_submitted(staff_client):
    consultation = ConsultationFactory(
        history=False,
        organization_as_submitted={
            "name": "Old name",
            "region": "south",
            "website": "",
        },
    )
    with translation.override("en"):
        url = _change_url(consultation)

    content = staff_client.get(url).content.decode()

    assert "Name: Old name" in content
    assert "Region: South District" in content
    assert "Website:" not in content


@pytest.mark.parametrize("advisor_id", ["", "abc", "999999"])
def test_assigning_an_unknown_advisor_is_404_and_changes_nothing(
    staff_client, advisor_id
):
    consultation = ConsultationFactory(history=False)

    response = staff_client.post(
        reverse("admin:consultations_consultation_assign", args=[consultation.pk]),
        {"advisor": advisor_id},
    )

    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW


@pytest.mark.parametrize(
    ("languages", "regions"),
    [(["he", "fr"], []), (["he"], ["mars"]), (["he", "he"], []), ("he", [])],
)
def test_advisor_profile_lists_hold_only_known_values_once(advisor, languages, regions):
    from django.core.exceptions import ValidationError

    profile = advisor.advisor_profile
    profile.languages = languages
    profile.regions = regions

    with pytest.raises(ValidationError):
        profile.full_clean()
