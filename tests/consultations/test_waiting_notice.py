"""Waiting for the organization says what for: a required note, emailed to
the organization at once and shown on its status page (issue 19, item 16)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation, FollowUp, OutboundEmail, StatusChange
from consultations.selectors.requester import status_timeline
from consultations.services.followups import waiting_nudges_plan
from consultations.services.transitions import (
    consultation_change_status,
    consultation_reassign,
    consultation_wait_for_organization,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
NOTE = "Please send the board decision of March."


@pytest.fixture
def eager_delivery():
    """Outbox tasks run in-process, so mail.outbox shows what was sent."""
    from shatil_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _in_progress(advisor, **fields):
    return ConsultationFactory(
        history=False, status=Status.IN_PROGRESS, advisor=advisor, **fields
    )


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("note", ["", "   \n "])
def test_waiting_is_refused_without_a_note(advisor, note):
    """Nothing changes and nothing is sent when the note is missing."""
    consultation = _in_progress(advisor)

    with pytest.raises(ValidationError) as refusal:
        consultation_change_status(
            consultation=consultation,
            to_status=Status.WAITING_FOR_ORGANIZATION,
            actor=advisor,
            note=note,
        )

    assert refusal.value.messages == [
        "Write a note for the organization saying what the advisor is waiting for."
    ]
    consultation.refresh_from_db()
    assert consultation.status == Status.IN_PROGRESS
    assert not StatusChange.objects.filter(consultation=consultation).exists()
    assert not OutboundEmail.objects.filter(consultation=consultation).exists()


@pytest.mark.parametrize("crisis", [False, True])
def test_waiting_emails_the_organization_the_note_in_its_language_after_commit(
    advisor, eager_delivery, django_capture_on_commit_callbacks, crisis
):
    """One email to the contact, in Arabic here, with the note and the way
    back to the status page, queued in the outbox and sent once the change
    commits. A crisis request's is sent too: it is the organization's own
    request."""
    consultation = _in_progress(
        advisor,
        preferred_language="ar",
        contact_email="lina@example.org",
        **({"crisis": True} if crisis else {}),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consultation_wait_for_organization(
            consultation=consultation, actor=advisor, note=f"  {NOTE}\n"
        )
    assert mail.outbox == []
    for callback in callbacks:
        callback()

    row = OutboundEmail.objects.get(consultation=consultation)
    assert row.kind == OutboundEmail.Kind.WAITING_FOR_ORGANIZATION
    assert row.status == OutboundEmail.Status.SENT
    (email,) = mail.outbox
    assert email.to == ["lina@example.org"]
    assert email.reply_to == [advisor.email]
    assert consultation.reference in email.subject
    assert NOTE in email.body
    with translation.override("ar"):
        assert reverse("consultations:lost_link") in email.body
    html, _mimetype = email.alternatives[0]
    assert 'lang="ar"' in html and NOTE in html
    # The Arabic text, not the English msgid.
    assert "your advisor at Shatil" not in email.body
    change = StatusChange.objects.get(consultation=consultation)
    assert change.note == NOTE


def test_the_note_is_on_the_status_page_timeline(advisor, other_advisor, coordinator):
    """The organization reads what it is asked for; a reassignment's note
    while waiting stays internal."""
    consultation = _in_progress(advisor)
    consultation_wait_for_organization(
        consultation=consultation, actor=advisor, note=NOTE
    )
    consultation_reassign(
        consultation=consultation, advisor=other_advisor, actor=coordinator
    )

    notes = [entry.note for entry in status_timeline(consultation=consultation)]
    assert notes == [NOTE, ""]


def test_the_first_nudge_still_comes_five_business_days_later(advisor, settings):
    settings.FOLLOWUP_WAITING_BUSINESS_DAYS = 5
    consultation = _in_progress(advisor)
    consultation_wait_for_organization(
        consultation=consultation, actor=advisor, note=NOTE
    )
    started = StatusChange.objects.get(consultation=consultation).created_at

    waiting_nudges_plan(now=started)

    first = FollowUp.objects.filter(
        consultation=consultation, kind=FollowUp.Kind.WAITING_NUDGE
    ).order_by("scheduled_at")[0]
    assert first.scheduled_at - started > datetime.timedelta(days=5)
    assert first.scheduled_at - started < datetime.timedelta(days=12)


# The pages that offer the status ask for the note ----------------------------


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


def _admin_url(name, consultation):
    return reverse(f"admin:consultations_consultation_{name}", args=[consultation.pk])


def test_the_admin_status_button_asks_for_the_note_and_keeps_it(staff_client, advisor):
    """The triage panel's button leads to the note page; a refused note
    keeps what was typed, and the accepted one reaches the history."""
    consultation = _in_progress(advisor)
    panel = staff_client.get(_admin_url("change", consultation))
    offered = [value for value, _label in panel.context["triage_status_actions"]]

    to_wait = staff_client.post(
        _admin_url("status", consultation),
        {"to_status": Status.WAITING_FOR_ORGANIZATION},
    )
    too_long = staff_client.post(
        _admin_url("wait", consultation), {"note": "x" * 20001 + NOTE}
    )
    empty = staff_client.post(_admin_url("wait", consultation), {"note": "  "})
    done = staff_client.post(_admin_url("wait", consultation), {"note": NOTE})

    assert Status.WAITING_FOR_ORGANIZATION not in offered
    assert panel.context["triage_can_wait"]
    assert _admin_url("wait", consultation) in panel.content.decode()
    assert to_wait["Location"] == _admin_url("wait", consultation)
    assert too_long.status_code == empty.status_code == 200
    assert NOTE in too_long.content.decode()
    assert done.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING_FOR_ORGANIZATION
    assert StatusChange.objects.get(consultation=consultation).note == NOTE
    assert OutboundEmail.objects.filter(
        consultation=consultation, kind=OutboundEmail.Kind.WAITING_FOR_ORGANIZATION
    ).exists()


def test_the_admin_bulk_action_asks_for_a_note_first(staff_client, advisor):
    consultations = [_in_progress(advisor), _in_progress(advisor)]
    payload = {
        "action": "wait_for_organization",
        "_selected_action": [c.pk for c in consultations],
    }

    asked = staff_client.post(
        reverse("admin:consultations_consultation_changelist"), payload
    )
    staff_client.post(
        reverse("admin:consultations_consultation_changelist"),
        {**payload, "apply": "1", "note": NOTE},
    )

    assert asked.status_code == 200 and "form" in asked.context
    assert (
        StatusChange.objects.filter(
            to_status=Status.WAITING_FOR_ORGANIZATION, note=NOTE
        ).count()
        == 2
    )
    assert (
        OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.WAITING_FOR_ORGANIZATION
        ).count()
        == 2
    )


def test_the_workspace_asks_for_the_note_and_keeps_what_was_typed(
    advisor_client, advisor
):
    consultation = _in_progress(advisor)
    detail = reverse("workspace:request_detail", kwargs={"pk": consultation.pk})
    wait_url = reverse("workspace:wait", kwargs={"pk": consultation.pk})
    page = advisor_client.get(detail)
    offered = [value for value, _label in page.context["status_actions"]]

    button = advisor_client.post(
        reverse("workspace:status_change", kwargs={"pk": consultation.pk}),
        {"to_status": Status.WAITING_FOR_ORGANIZATION},
    )
    refused = advisor_client.post(
        wait_url,
        {"wait-note": "", "wait-version": consultation.version},
    )
    stale = advisor_client.post(
        wait_url, {"wait-note": NOTE, "wait-version": "an old version"}
    )
    consultation.refresh_from_db()
    status_after_refusals = consultation.status
    done = advisor_client.post(
        wait_url, {"wait-note": NOTE, "wait-version": consultation.version}
    )

    assert Status.WAITING_FOR_ORGANIZATION not in offered
    assert page.context["can_wait"] and wait_url in page.content.decode()
    assert button.status_code == 302
    assert refused.status_code == stale.status_code == 400
    assert refused.context["wait_form"].errors
    assert NOTE in stale.content.decode()
    assert status_after_refusals == Status.IN_PROGRESS
    assert done.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING_FOR_ORGANIZATION
    assert StatusChange.objects.get(consultation=consultation).note == NOTE
