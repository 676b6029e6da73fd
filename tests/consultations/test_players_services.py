"""The map of the players and the milestones' edits (issue 18): who may
change them, what is refused, and the history row each change leaves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations.models import Consultation, Milestone, PlanEvent, Player, StepOwner
from consultations.models.players import MAX_PLAYERS_PER_PLAN
from consultations.services import engagement
from consultations.services import milestones as milestone_services
from consultations.services import players as services
from consultations.services.engagement import israel_today
from tests.consultations.conftest import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
Kind = PlanEvent.Kind


@pytest.fixture
def plan(advisor):
    consultation = ConsultationFactory(status=Status.ASSIGNED, advisor=advisor)
    return engagement.work_plan_start_from_template(
        consultation=consultation, actor=advisor
    )


def values(**overrides):
    return {
        "name": "ועדת החינוך של המועצה",
        "kind": Player.Kind.LOCAL_AUTHORITY,
        "stance": Player.Stance.NEUTRAL,
        "influence": 5,
        "interest": 3,
        "relationship": "פגשנו את היו״ר בשנה שעברה",
        "note": "",
        **overrides,
    }


def test_the_advisor_adds_a_player_and_the_history_says_who(plan, advisor):
    player = services.player_add(plan=plan, actor=advisor, **values())
    assert player.influence == 5
    event = plan.events.latest("pk")
    assert event.kind == Kind.PLAYER_ADDED
    assert event.actor == advisor
    assert event.details == {"player": "ועדת החינוך של המועצה"}


def test_the_organization_edits_a_player_and_the_history_keeps_before_and_after(
    plan, advisor
):
    player = services.player_add(plan=plan, actor=advisor, **values())
    services.player_edit(
        player=player,
        actor=None,
        expected_version=player.version,
        **values(stance=Player.Stance.SUPPORTS),
    )
    player.refresh_from_db()
    assert player.stance == Player.Stance.SUPPORTS
    event = plan.events.latest("pk")
    assert event.kind == Kind.PLAYER_CHANGED
    assert event.by_organization
    assert event.details["stance"] == ["neutral", "supports"]


def test_a_stale_player_edit_is_refused(plan, advisor):
    player = services.player_add(plan=plan, actor=advisor, **values())
    shown = player.version
    services.player_edit(
        player=player, actor=advisor, expected_version=shown, **values(interest=4)
    )
    with pytest.raises(ValidationError) as error:
        services.player_edit(
            player=player, actor=None, expected_version=shown, **values(interest=1)
        )
    assert error.value.code == "stale"
    player.refresh_from_db()
    assert player.interest == 4


def test_bad_values_are_all_refused_at_once(plan, advisor):
    with pytest.raises(ValidationError) as error:
        services.player_add(
            plan=plan,
            actor=advisor,
            **values(name="\u202e ", influence=9, interest=0, kind="army"),
        )
    assert set(error.value.message_dict) == {"name", "influence", "interest", "kind"}
    assert not plan.players.exists()


def test_bidi_controls_are_not_stored(plan, advisor):
    player = services.player_add(
        plan=plan, actor=advisor, **values(name="\u202bמשרד\u202c החינוך\u2066")
    )
    assert player.name == "משרד החינוך"


def test_the_301st_player_is_refused(plan, advisor):
    Player.objects.bulk_create(
        Player(plan=plan, kind="other", influence=1, interest=1, name=f"p{n}")
        for n in range(MAX_PLAYERS_PER_PLAN)
    )
    with pytest.raises(ValidationError, match=str(MAX_PLAYERS_PER_PLAN)):
        services.player_add(plan=plan, actor=advisor, **values())


def test_another_advisor_may_not_touch_the_map(plan, other_advisor):
    with pytest.raises(PermissionDenied):
        services.player_add(plan=plan, actor=other_advisor, **values())


def test_a_closed_requests_map_does_not_change(plan, advisor):
    player = services.player_add(plan=plan, actor=advisor, **values())
    Consultation.objects.filter(pk=plan.consultation_id).update(status=Status.COMPLETED)
    with pytest.raises(ValidationError) as error:
        services.player_remove(player=player, actor=None, expected_version=None)
    assert error.value.code == "closed"


def test_removing_a_player_keeps_its_steps_and_says_so_in_the_history(plan, advisor):
    player = services.player_add(plan=plan, actor=advisor, **values())
    step = plan.steps.first()
    step.targets.add(player)
    services.player_remove(player=player, actor=advisor, expected_version=None)
    assert plan.steps.filter(pk=step.pk).exists()
    assert plan.events.latest("pk").kind == Kind.PLAYER_REMOVED


def test_a_step_names_the_players_it_targets(plan, advisor):
    council = services.player_add(plan=plan, actor=advisor, **values())
    ministry = services.player_add(
        plan=plan, actor=advisor, **values(name="משרד החינוך", kind="ministry")
    )
    step = plan.steps.first()
    engagement.plan_step_edit(
        step=step,
        actor=advisor,
        expected_version=step.version,
        title=step.title,
        owner=step.owner,
        due_date=step.due_date,
        status=step.status,
        notes=step.notes,
        milestone=step.milestone,
        targets=[ministry, council],
    )
    assert set(step.targets.all()) == {council, ministry}
    event = plan.events.latest("pk")
    assert event.kind == Kind.STEP_CHANGED
    assert event.details["targets"][0] == ""


def test_a_step_cannot_target_another_plans_player(plan, advisor):
    other = engagement.work_plan_start_from_template(
        consultation=ConsultationFactory(status=Status.ASSIGNED, advisor=advisor),
        actor=advisor,
    )
    stranger = services.player_add(plan=other, actor=advisor, **values())
    step = plan.steps.first()
    with pytest.raises(ValidationError):
        engagement.plan_step_edit(
            step=step,
            actor=advisor,
            expected_version=None,
            title=step.title,
            owner=step.owner,
            due_date=step.due_date,
            status=step.status,
            targets=[stranger],
        )


def test_deleting_a_milestone_keeps_its_steps_ungrouped(plan, advisor):
    milestone = plan.milestones.first()
    steps = list(milestone.steps.values_list("pk", flat=True))
    assert steps
    milestone_services.milestone_delete(
        milestone=milestone, actor=advisor, shown_title=milestone.title
    )
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert plan.steps.filter(pk__in=steps, milestone=None).count() == len(steps)
    event = plan.events.latest("pk")
    assert event.kind == Kind.MILESTONE_DELETED
    assert event.details["steps"] == len(steps)


def test_renaming_a_milestone_is_recorded_and_a_stale_rename_refused(plan, advisor):
    milestone = plan.milestones.first()
    shown = milestone.title
    milestone_services.milestone_edit(
        milestone=milestone, actor=advisor, title="שלב ראשון", shown_title=shown
    )
    assert plan.events.latest("pk").details["title"] == [shown, "שלב ראשון"]
    with pytest.raises(ValidationError) as error:
        milestone_services.milestone_edit(
            milestone=milestone, actor=advisor, title="אחר", shown_title=shown
        )
    assert error.value.code == "stale"


def test_anonymization_erases_the_map(plan, advisor):
    services.player_add(plan=plan, actor=advisor, **values())
    engagement.work_plan_erase_personal_data(consultation=plan.consultation)
    assert not plan.players.exists()


def test_new_steps_still_work_with_no_targets(plan, advisor):
    step = engagement.plan_step_add(
        plan=plan,
        actor=advisor,
        title="x",
        owner=StepOwner.ADVISOR,
        due_date=israel_today(),
    )
    assert not step.targets.exists()


def test_a_new_step_names_the_players_it_targets_and_the_history_says_so(plan, advisor):
    council = services.player_add(plan=plan, actor=advisor, **values())
    step = engagement.plan_step_add(
        plan=plan,
        actor=advisor,
        title="פגישה עם ועדת החינוך",
        owner=StepOwner.ORGANIZATION,
        due_date=israel_today(),
        targets=[council],
    )
    assert list(step.targets.all()) == [council]
    event = plan.events.latest("pk")
    assert event.kind == Kind.STEP_ADDED
    assert event.details == {"targets": "ועדת החינוך של המועצה"}


def test_a_new_step_cannot_target_another_plans_player(plan, advisor):
    other = engagement.work_plan_start_from_template(
        consultation=ConsultationFactory(status=Status.ASSIGNED, advisor=advisor),
        actor=advisor,
    )
    stranger = services.player_add(plan=other, actor=advisor, **values())
    steps = plan.steps.count()
    with pytest.raises(ValidationError) as error:
        engagement.plan_step_add(
            plan=plan,
            actor=advisor,
            title="x",
            owner=StepOwner.ADVISOR,
            due_date=israel_today(),
            targets=[stranger],
        )
    assert "targets" in error.value.error_dict
    assert plan.steps.count() == steps
