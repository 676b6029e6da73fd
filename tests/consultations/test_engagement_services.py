"""The work plan's services (issue 18): starting from the track's template,
the advisor's edits, the organization's part, and what is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from consultations.models import (
    Consultation,
    PlanEvent,
    PlanStep,
    PlanTemplate,
    StepOwner,
    WorkPlan,
)
from consultations.models.engagement import MAX_STEPS_PER_PLAN
from consultations.services import engagement as services
from consultations.services.engagement import israel_today
from tests.consultations.conftest import ConsultationFactory
from tests.factories import catalog_track

pytestmark = pytest.mark.django_db

Status = Consultation.Status
Kind = PlanEvent.Kind


@pytest.fixture
def assigned(advisor):
    return ConsultationFactory(status=Status.ASSIGNED, advisor=advisor)


@pytest.fixture
def plan(assigned, advisor):
    return services.work_plan_start_from_template(consultation=assigned, actor=advisor)


def _add(plan, advisor, **overrides):
    values = {
        "title": "פגישה עם מהנדסת העיר",
        "owner": StepOwner.ORGANIZATION,
        "due_date": israel_today() + timedelta(days=7),
    }
    values.update(overrides)
    return services.plan_step_add(plan=plan, actor=advisor, **values)


def test_every_track_has_a_template_of_four_to_eight_steps_in_three_languages():
    templates = PlanTemplate.objects.prefetch_related("steps").select_related("track")
    assert templates.count() == 7
    for template in templates:
        steps = list(template.steps.all())
        assert 4 <= len(steps) <= 8, template.track.slug
        for step in steps:
            assert step.title_he and step.title_ar and step.title_en
            assert step.owner in StepOwner.values


def test_starting_copies_the_template_in_the_organizations_language(advisor):
    consultation = ConsultationFactory(
        status=Status.ASSIGNED,
        advisor=advisor,
        track=catalog_track("local-government"),
        preferred_language="ar",
    )
    plan = services.work_plan_start_from_template(
        consultation=consultation, actor=advisor
    )
    template_steps = list(
        PlanTemplate.objects.get(track=consultation.track).steps.all()
    )
    steps = list(plan.steps.order_by("order"))
    assert [s.title for s in steps] == [t.title_ar for t in template_steps]
    assert [s.owner for s in steps] == [t.owner for t in template_steps]
    assert all(s.due_date >= israel_today() for s in steps)
    assert plan.goal == consultation.goal
    assert plan.milestones.count() >= 1
    assert plan.events.get().kind == Kind.STARTED


def test_a_request_has_one_plan(plan, assigned, advisor):
    with pytest.raises(ValidationError):
        services.work_plan_start_from_template(consultation=assigned, actor=advisor)
    assert WorkPlan.objects.filter(consultation=assigned).count() == 1


def test_a_plan_starts_only_once_an_advisor_is_assigned(advisor, coordinator):
    new = ConsultationFactory(status=Status.NEW)
    with pytest.raises(ValidationError):
        services.work_plan_start_from_template(consultation=new, actor=coordinator)


def test_another_advisor_may_not_start_or_edit_the_plan(plan, assigned, other_advisor):
    with pytest.raises(PermissionDenied):
        _add(plan, other_advisor)
    with pytest.raises(PermissionDenied):
        services.work_plan_edit_goal(plan=plan, actor=other_advisor, goal="x")


def test_staff_without_the_crisis_permission_may_not_touch_a_crisis_plan(
    advisor, plain_staff
):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    plan = services.work_plan_start_from_template(consultation=crisis, actor=advisor)
    with pytest.raises(PermissionDenied):
        _add(plan, plain_staff)


def test_adding_a_step_puts_it_last_and_records_who_added_it(plan, advisor):
    before = plan.steps.count()
    step = _add(plan, advisor)
    assert step.order == before + 1
    event = plan.events.latest("pk")
    assert (event.kind, event.actor, event.step_title) == (
        Kind.STEP_ADDED,
        advisor,
        step.title,
    )


def test_a_new_step_due_in_the_past_is_refused_with_a_clear_message(plan, advisor):
    with translation.override("he"), pytest.raises(ValidationError) as error:
        _add(plan, advisor, due_date=israel_today() - timedelta(days=1))
    assert "due_date" in error.value.message_dict
    assert "המועד" in error.value.message_dict["due_date"][0]


def test_a_step_needs_an_owner_and_a_title(plan, advisor):
    with pytest.raises(ValidationError) as error:
        _add(plan, advisor, owner="", title="   ")
    assert set(error.value.message_dict) == {"owner", "title"}


def test_bidi_control_characters_are_stripped(plan, advisor):
    step = _add(plan, advisor, title="\u202eפגישה\u2066 עם\u202c הוועדה\u2069")
    assert step.title == "פגישה עם הוועדה"


def test_a_plan_holds_at_most_the_step_limit(plan, advisor):
    existing = plan.steps.count()
    PlanStep.objects.bulk_create(
        PlanStep(
            plan=plan,
            order=existing + n + 1,
            title=f"צעד {n}",
            owner=StepOwner.ADVISOR,
            due_date=israel_today(),
        )
        for n in range(MAX_STEPS_PER_PLAN - existing)
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _add(plan, advisor)
    assert "at most 200 steps" in error.value.messages[0]
    assert plan.steps.count() == MAX_STEPS_PER_PLAN


def test_a_stale_step_edit_is_refused_and_changes_nothing(plan, advisor):
    step = plan.steps.first()
    shown = step.version
    services.plan_step_set_status(
        step=step, actor=advisor, status="in_progress", expected_version=shown
    )
    with pytest.raises(ValidationError) as error:
        services.plan_step_edit(
            step=step,
            actor=advisor,
            expected_version=shown,
            title="כותרת אחרת",
            owner=step.owner,
            due_date=step.due_date,
            status="planned",
        )
    assert error.value.code == "stale"
    step.refresh_from_db()
    assert (step.status, step.title) != ("planned", "כותרת אחרת")


def test_an_edit_records_what_changed_and_may_keep_a_past_due_date(plan, advisor):
    step = plan.steps.first()
    PlanStep.objects.filter(pk=step.pk).update(
        due_date=israel_today() - timedelta(days=3)
    )
    step.refresh_from_db()
    services.plan_step_edit(
        step=step,
        actor=advisor,
        expected_version=step.version,
        title="כותרת חדשה",
        owner=step.owner,
        due_date=step.due_date,
        status=step.status,
        notes=step.notes,
        milestone=step.milestone,
    )
    event = plan.events.latest("pk")
    assert event.kind == Kind.STEP_CHANGED
    assert list(event.details) == ["title"]
    with pytest.raises(ValidationError):
        services.plan_step_edit(
            step=step,
            actor=advisor,
            expected_version=None,
            title="כותרת חדשה",
            owner=step.owner,
            due_date=israel_today() - timedelta(days=1),
            status=step.status,
        )


def test_moving_a_step_swaps_it_with_its_neighbour(plan, advisor):
    first, second = plan.steps.order_by("order")[:2]
    services.plan_step_move(
        step=second, actor=advisor, direction="up", expected_version=second.version
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.order < first.order


def test_the_organization_marks_its_own_step_done_but_not_the_advisors(plan):
    own = plan.steps.filter(owner=StepOwner.ORGANIZATION).first()
    advisors = plan.steps.filter(owner=StepOwner.ADVISOR).first()
    services.plan_step_mark_done_by_organization(step=own, expected_version=own.version)
    own.refresh_from_db()
    assert own.status == PlanStep.Status.DONE
    event = plan.events.latest("pk")
    assert event.by_organization and event.actor is None
    with pytest.raises(ValidationError):
        services.plan_step_mark_done_by_organization(
            step=advisors, expected_version=advisors.version
        )


def test_the_organization_adds_a_note_to_any_step(plan):
    step = plan.steps.filter(owner=StepOwner.ADVISOR).first()
    services.plan_step_add_note_by_organization(
        step=step, note="נקבעה פגישה ליום שלישי", expected_version=step.version
    )
    step.refresh_from_db()
    assert step.notes.endswith("נקבעה פגישה ליום שלישי")
    assert plan.events.latest("pk").details == {"note": "נקבעה פגישה ליום שלישי"}


def test_goal_edit_and_turning_points_are_recorded(plan, advisor):
    services.work_plan_edit_goal(plan=plan, actor=advisor, goal="מטרה מחודדת")
    services.turning_point_add(
        plan=plan, actor=None, on=israel_today(), note="הוועדה דחתה את ההצבעה"
    )
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds[-2:] == [Kind.GOAL_CHANGED, Kind.TURNING_POINT]
    assert plan.turning_points.get().by_organization


def test_a_closed_requests_plan_no_longer_changes(plan, assigned, advisor):
    Consultation.objects.filter(pk=assigned.pk).update(status=Status.COMPLETED)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _add(plan, advisor)
    assert error.value.code == "closed"


def test_the_database_refuses_an_unknown_step_status(plan):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PlanStep.objects.filter(pk=plan.steps.first().pk).update(status="lost")


def test_anonymizing_the_request_erases_the_plans_free_text(plan, assigned, advisor):
    """The plan's goal is a copy of the request's; notes, turning points and
    the history's before/after values may name people too."""
    from consultations.services.retention import consultation_anonymize

    step = plan.steps.first()
    services.plan_step_add_note_by_organization(
        step=step, note="דנה לוי תתקשר", expected_version=step.version
    )
    services.turning_point_add(
        plan=plan, actor=advisor, on=israel_today(), note="דנה לוי עזבה"
    )
    consultation_anonymize(consultation=assigned, reason="בקשת נושא המידע")
    plan.refresh_from_db()
    assert plan.goal == ""
    assert not plan.steps.exclude(notes="").exists()
    assert not plan.turning_points.exclude(note="").exists()
    assert not plan.events.exclude(details={}).exists()
    assert plan.steps.count() >= 4
