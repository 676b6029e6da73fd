"""The transition services against the table of allowed status changes:
every allowed move works and writes its history row; every other move is
refused with a clear message and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations.models import (
    AdvisorProfile,
    Consultation,
    OutboundEmail,
    StatusChange,
)
from consultations.services import transitions
from consultations.services.workflow import ALLOWED_TRANSITIONS
from tests.factories import ConsultationFactory

# Service and form messages are read in English, the language of the msgids.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Consultation.Status
ALL_STATUSES = list(Status.values)
# The targets with a service here; withdrawal is the requester's (intake).
SERVICE_TARGETS = [
    Status.IN_TRIAGE,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_FOR_ORGANIZATION,
    Status.COMPLETED,
    Status.DECLINED,
]


def _move(*, consultation, to_status, actor, advisor):
    if to_status == Status.ASSIGNED:
        return transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=actor
        )
    return transitions.consultation_change_status(
        consultation=consultation,
        to_status=to_status,
        actor=actor,
        note="Not a fit for the center's tracks.",
        outcome="plan_in_place",
    )


def _snapshot(consultation):
    consultation.refresh_from_db()
    return (
        consultation.status,
        consultation.advisor_id,
        consultation.first_responded_at,
        consultation.closed_at,
        StatusChange.objects.filter(consultation=consultation).count(),
        OutboundEmail.objects.filter(consultation=consultation).count(),
    )


@pytest.mark.parametrize("to_status", SERVICE_TARGETS)
@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_each_pair_of_statuses_is_applied_or_refused_as_the_table_says(
    from_status, to_status, coordinator, make_advisor
):
    assigned_to = (
        make_advisor() if from_status in Consultation.ACTIVE_STATUSES else None
    )
    consultation = ConsultationFactory(
        history=False, status=from_status, advisor=assigned_to
    )
    new_advisor = make_advisor()
    allowed = to_status in ALLOWED_TRANSITIONS[from_status]

    if allowed:
        _move(
            consultation=consultation,
            to_status=to_status,
            actor=coordinator,
            advisor=new_advisor,
        )
        consultation.refresh_from_db()
        assert consultation.status == to_status
        change = StatusChange.objects.filter(consultation=consultation).get()
        assert (change.from_status, change.to_status) == (from_status, to_status)
        assert change.actor == coordinator
    else:
        before = _snapshot(consultation)
        with pytest.raises(ValidationError):
            _move(
                consultation=consultation,
                to_status=to_status,
                actor=coordinator,
                advisor=new_advisor,
            )
        assert _snapshot(consultation) == before


def test_the_closed_statuses_are_final():
    for status in Consultation.CLOSED_STATUSES:
        assert ALLOWED_TRANSITIONS[status] == frozenset()


def test_the_open_triage_index_covers_exactly_the_open_statuses():
    """The partial index's literal list must follow OPEN_STATUSES."""
    index = next(
        index
        for index in Consultation._meta.indexes
        if index.name == "consultation_open_triage"
    )
    (lookup, values) = index.condition.children[0]
    assert lookup == "status__in"
    assert set(values) == set(Consultation.OPEN_STATUSES)
    assert set(Consultation.OPEN_STATUSES) | set(Consultation.CLOSED_STATUSES) == set(
        ALL_STATUSES
    )


def test_assignment_sets_the_advisor_their_last_assignment_and_the_first_response(
    coordinator, advisor
):
    consultation = ConsultationFactory(history=False)

    transitions.consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )

    consultation.refresh_from_db()
    assert consultation.advisor == advisor
    assert consultation.first_responded_at is not None
    assert AdvisorProfile.objects.get(user=advisor).last_assigned_at is not None


def test_assignment_keeps_an_earlier_first_response(coordinator, advisor):
    consultation = ConsultationFactory(history=False)
    transitions.consultation_start_triage(consultation=consultation, actor=coordinator)
    Consultation.objects.filter(pk=consultation.pk).update(
        first_responded_at=consultation.submitted_at
    )

    transitions.consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )

    consultation.refresh_from_db()
    assert consultation.first_responded_at == consultation.submitted_at


def test_an_inactive_advisor_cannot_be_assigned_and_nothing_changes(
    coordinator, make_advisor
):
    inactive = make_advisor(is_active=False)
    consultation = ConsultationFactory(history=False)

    with pytest.raises(ValidationError, match="active advisor"):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=inactive, actor=coordinator
        )

    consultation.refresh_from_db()
    assert consultation.status == Status.NEW
    assert consultation.advisor is None
    assert not StatusChange.objects.filter(consultation=consultation).exists()


def test_a_user_without_an_advisor_profile_cannot_be_assigned(coordinator):
    consultation = ConsultationFactory(history=False)

    with pytest.raises(ValidationError):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=coordinator, actor=coordinator
        )


def test_decline_needs_a_note_and_answers_the_request(coordinator):
    consultation = ConsultationFactory(history=False)

    with pytest.raises(ValidationError, match="note"):
        transitions.consultation_decline(
            consultation=consultation, actor=coordinator, note="   "
        )
    # As long as a message may be, and no longer (whichever page sends it).
    with pytest.raises(ValidationError, match="10000"):
        transitions.consultation_decline(
            consultation=consultation, actor=coordinator, note="x" * 10_001
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW

    transitions.consultation_decline(
        consultation=consultation, actor=coordinator, note="Outside our tracks."
    )
    consultation.refresh_from_db()
    assert consultation.status == Status.DECLINED
    assert consultation.first_responded_at is not None
    assert consultation.closed_at is not None
    assert consultation.status_changes.get().note == "Outside our tracks."


def test_reassignment_keeps_the_status_and_records_both_advisors(
    coordinator, advisor, other_advisor
):
    consultation = ConsultationFactory(
        history=False, status=Status.IN_PROGRESS, advisor=advisor
    )

    transitions.consultation_reassign(
        consultation=consultation, advisor=other_advisor, actor=coordinator
    )

    consultation.refresh_from_db()
    assert consultation.advisor == other_advisor
    assert consultation.status == Status.IN_PROGRESS
    change = consultation.status_changes.get()
    assert change.from_status == change.to_status == Status.IN_PROGRESS
    assert advisor.get_full_name() in change.note
    assert other_advisor.get_full_name() in change.note


@pytest.mark.parametrize("status", [Status.NEW, Status.IN_TRIAGE, Status.COMPLETED])
def test_reassignment_is_refused_without_an_advisor_or_once_closed(
    status, coordinator, other_advisor
):
    consultation = ConsultationFactory(history=False, status=status)

    with pytest.raises(ValidationError):
        transitions.consultation_reassign(
            consultation=consultation, advisor=other_advisor, actor=coordinator
        )
    assert not StatusChange.objects.filter(consultation=consultation).exists()


def test_reassignment_to_the_same_advisor_is_refused(coordinator, advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    with pytest.raises(ValidationError, match="already"):
        transitions.consultation_reassign(
            consultation=consultation, advisor=advisor, actor=coordinator
        )


def test_an_advisor_cannot_move_a_request_that_is_not_theirs(advisor, other_advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=other_advisor
    )

    with pytest.raises(PermissionDenied):
        transitions.consultation_start_progress(
            consultation=consultation, actor=advisor
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.ASSIGNED


def test_an_advisor_moves_their_own_request_but_cannot_assign(advisor, other_advisor):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    transitions.consultation_start_progress(consultation=consultation, actor=advisor)
    with pytest.raises(PermissionDenied):
        transitions.consultation_reassign(
            consultation=consultation, advisor=other_advisor, actor=advisor
        )

    consultation.refresh_from_db()
    assert consultation.status == Status.IN_PROGRESS
    assert consultation.advisor == advisor


def test_staff_without_the_crisis_permission_cannot_touch_a_crisis_request(
    plain_staff, advisor
):
    consultation = ConsultationFactory(history=False, crisis=True)

    with pytest.raises(PermissionDenied):
        transitions.consultation_assign_advisor(
            consultation=consultation, advisor=advisor, actor=plain_staff
        )


def test_status_buttons_offer_the_allowed_moves_with_a_service(advisor, coordinator):
    consultation = ConsultationFactory(
        history=False, status=Status.ASSIGNED, advisor=advisor
    )

    assert transitions.status_actions_for(user=advisor, consultation=consultation) == [
        Status.IN_PROGRESS,
        Status.WAITING_FOR_ORGANIZATION,
        Status.COMPLETED,
        Status.DECLINED,
    ]
    new = ConsultationFactory(history=False)
    assert transitions.status_actions_for(user=coordinator, consultation=new) == [
        Status.IN_TRIAGE,
        Status.DECLINED,
    ]


def test_the_refusals_say_why_in_their_own_words(coordinator, make_advisor):
    """The messages staff see when a move is refused."""
    consultation = ConsultationFactory(history=False, status=Status.COMPLETED)
    with pytest.raises(ValidationError) as error:
        transitions.consultation_change_status(
            consultation=consultation, to_status=Status.IN_PROGRESS, actor=coordinator
        )
    assert error.value.messages == [
        "A request that is “Completed” cannot become “In progress”."
    ]
    with pytest.raises(ValidationError) as error:
        transitions.consultation_change_status(
            consultation=consultation, to_status=Status.NEW, actor=coordinator
        )
    assert error.value.messages == ["This status cannot be set here."]
    inactive = make_advisor(is_active=False)
    with pytest.raises(ValidationError) as error:
        transitions.consultation_assign_advisor(
            consultation=ConsultationFactory(history=False),
            advisor=inactive,
            actor=coordinator,
        )
    assert error.value.messages == ["Only an active advisor can be assigned a request."]


def test_a_status_button_without_a_note_records_no_note(coordinator):
    consultation = ConsultationFactory(history=False, status=Status.IN_PROGRESS)

    transitions.consultation_change_status(
        consultation=consultation,
        to_status=Status.COMPLETED,
        actor=coordinator,
        outcome="nothing_yet",
    )

    assert StatusChange.objects.get(consultation=consultation).note == ""


def test_a_status_button_on_a_stale_page_is_refused(coordinator):
    """The version the page showed reaches the service behind the button."""
    consultation = ConsultationFactory(history=False, status=Status.IN_PROGRESS)

    with pytest.raises(ValidationError) as error:
        transitions.consultation_change_status(
            consultation=consultation,
            to_status=Status.COMPLETED,
            actor=coordinator,
            outcome="nothing_yet",
            expected_version="a version the request no longer has",
        )

    assert error.value.code == "stale"
    assert Consultation.objects.get(pk=consultation.pk).status == Status.IN_PROGRESS
