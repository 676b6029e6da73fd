"""The map of the players' pages, the milestones' edits and the printable
plan (issue 18): who reaches them, what bad input shows, the chart with
300 players, and a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation, PlanEvent, Player
from consultations.models.players import MAX_PLAYERS_PER_PLAN
from consultations.services import engagement
from consultations.services import players as services
from tests.consultations.conftest import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
TOKEN = "map-status-token-00000000000000000000000"
OTHER_TOKEN = "map-status-token-11111111111111111111111"


@pytest.fixture
def assigned(advisor):
    return ConsultationFactory(
        status=Status.ASSIGNED, advisor=advisor, status_token=TOKEN
    )


@pytest.fixture
def plan(assigned, advisor):
    return engagement.work_plan_start_from_template(
        consultation=assigned, actor=advisor
    )


def _url(name, consultation, language="he", **kwargs):
    with translation.override(language):
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk, **kwargs})


def _status_url(name, language="he", token=TOKEN, **kwargs):
    with translation.override(language):
        return reverse(f"consultations:{name}", kwargs={"token": token, **kwargs})


def _form(**overrides):
    data = {
        "player-name": "ועדת החינוך",
        "player-kind": "local_authority",
        "player-stance": "neutral",
        "player-influence": "5",
        "player-interest": "3",
        "player-relationship": "",
        "player-note": "",
    }
    data.update({f"player-{key}": value for key, value in overrides.items()})
    return data


def _add(plan, advisor, count, **overrides):
    stances = ["supports", "neutral", "opposes", "unknown"]
    Player.objects.bulk_create(
        Player(
            plan=plan,
            name=f"שחקן {n}",
            kind="other",
            stance=stances[n % 4],
            influence=1 + n % 5,
            interest=1 + (n // 5) % 5,
            **overrides,
        )
        for n in range(count)
    )
    step = plan.steps.first()
    step.targets.add(*plan.players.all()[:3])


def test_the_advisor_adds_a_player_and_sees_it_in_the_chart_and_the_table(
    client, advisor, plan, assigned
):
    client.force_login(advisor)
    response = client.post(_url("player_add", assigned), _form())
    assert response.status_code == 302
    page = client.get(_url("players", assigned)).content.decode()
    assert "<svg" in page
    assert page.count("ועדת החינוך") >= 3  # chart, table, key players
    assert "שחקנים מרכזיים ללא צעד" in page
    assert 'style="' not in page.split("<main", 1)[1]


def test_the_organization_adds_and_edits_through_its_own_link(client, plan):
    assert client.post(_status_url("status_player_add"), _form()).status_code == 302
    player = plan.players.get()
    edit = _status_url("status_player_edit", player_pk=player.pk)
    page = client.get(edit)
    assert page.status_code == 200
    response = client.post(
        edit, _form(stance="supports", version=player.version), follow=True
    )
    assert response.status_code == 200
    player.refresh_from_db()
    assert player.stance == "supports"
    assert plan.events.filter(kind="player_changed", by_organization=True).exists()
    page = client.get(_status_url("status_players")).content.decode()
    assert "ועדת החינוך" in page
    assert "<svg" in page


def test_another_requests_link_cannot_reach_this_map(client, plan, advisor):
    other = ConsultationFactory(
        status=Status.ASSIGNED, advisor=advisor, status_token=OTHER_TOKEN
    )
    engagement.work_plan_start_from_template(consultation=other, actor=advisor)
    player = services.player_add(
        plan=plan,
        actor=advisor,
        name="x",
        kind="media",
        stance="unknown",
        influence=2,
        interest=2,
    )
    for name, method in [
        ("status_player_edit", "get"),
        ("status_player_edit", "post"),
        ("status_player_remove", "post"),
    ]:
        url = _status_url(name, token=OTHER_TOKEN, player_pk=player.pk)
        assert getattr(client, method)(url, {}).status_code == 404
    assert plan.players.filter(pk=player.pk).exists()


@pytest.mark.parametrize("who", ["other_advisor", "plain_staff"])
def test_others_get_404_on_a_crisis_map(client, request, advisor, who):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    plan = engagement.work_plan_start_from_template(consultation=crisis, actor=advisor)
    milestone = plan.milestones.first()
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("players", crisis)).status_code == 404
    assert client.post(_url("player_add", crisis), _form()).status_code == 404
    assert client.get(_url("plan_print", crisis)).status_code == 404
    url = _url("milestone_delete", crisis, milestone_pk=milestone.pk)
    assert client.post(url).status_code == 404
    assert not plan.players.exists()
    assert plan.milestones.filter(pk=milestone.pk).exists()


def test_a_coordinator_sees_a_crisis_map_and_another_advisor_no_map(
    client, advisor, other_advisor, coordinator, plan, assigned
):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    engagement.work_plan_start_from_template(consultation=crisis, actor=advisor)
    client.force_login(coordinator)
    assert client.get(_url("players", crisis)).status_code == 200
    client.force_login(other_advisor)
    assert client.get(_url("players", assigned)).status_code == 404


@pytest.mark.parametrize("language", ["he", "ar", "en"])
def test_bad_input_shows_clear_messages_and_keeps_the_typing(
    client, advisor, plan, assigned, language
):
    client.force_login(advisor)
    response = client.post(
        _url("player_add", assigned, language=language),
        _form(name="", influence="9", relationship="ידידים ותיקים"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert "ידידים ותיקים" in body
    expected = {
        "he": ["יש לתת לשחקן שם", "ההשפעה היא מספר"],
        "ar": ["يجب إعطاء اللاعب اسمًا", "التأثير رقم"],
        "en": ["Give the player a name", "Influence is a number"],
    }[language]
    for message in expected:
        assert message in body
    assert not plan.players.exists()


def test_the_301st_player_is_refused_with_the_typing_kept(
    client, advisor, plan, assigned
):
    _add(plan, advisor, MAX_PLAYERS_PER_PLAN)
    client.force_login(advisor)
    response = client.post(_url("player_add", assigned), _form(name="שחקן נוסף"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "300" in body
    assert 'value="שחקן נוסף"' in body
    assert plan.players.count() == MAX_PLAYERS_PER_PLAN


def test_bidi_controls_typed_in_the_page_are_not_stored(client, plan):
    client.post(_status_url("status_player_add"), _form(name="\u202eמשרד\u202c הפנים"))
    assert plan.players.get().name == "משרד הפנים"


def test_a_stale_player_edit_keeps_the_typing(client, advisor, plan, assigned):
    player = services.player_add(
        plan=plan,
        actor=advisor,
        name="x",
        kind="media",
        stance="unknown",
        influence=2,
        interest=2,
    )
    shown = player.version
    services.player_edit(
        player=player,
        actor=None,
        expected_version=shown,
        name="x",
        kind="media",
        stance="opposes",
        influence=2,
        interest=2,
    )
    client.force_login(advisor)
    response = client.post(
        _url("player_edit", assigned, player_pk=player.pk),
        _form(name="עיתון מקומי", version=shown),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "השחקן השתנה מאז שהעמוד נטען" in body
    assert "עיתון מקומי" in body


def test_the_step_edit_form_names_the_map_and_key_players_without_step_update(
    client, advisor, plan, assigned
):
    player = services.player_add(
        plan=plan,
        actor=advisor,
        name="ראש המועצה",
        kind="local_authority",
        stance="opposes",
        influence=5,
        interest=4,
    )
    client.force_login(advisor)
    page = client.get(_url("players", assigned)).content.decode()
    key_list = page.split('id="key-players-list"', 1)[1].split("</ul>", 1)[0]
    assert "ראש המועצה" in key_list
    step = plan.steps.first()
    url = _url("plan_step_edit", assigned, step_pk=step.pk)
    assert "ראש המועצה" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "step-title": step.title,
            "step-owner": step.owner,
            "step-due_date": step.due_date.isoformat(),
            "step-status": step.status,
            "step-notes": step.notes,
            "step-milestone": step.milestone_id or "",
            "step-targets": [player.pk],
            "step-version": step.version,
        },
    )
    assert response.status_code == 302
    page = client.get(_url("players", assigned)).content.decode()
    assert "ראש המועצה" not in page.split('id="key-players-list"', 1)[1][:300]
    assert "לכל שחקן מרכזי יש צעד" in page


def test_the_step_add_form_offers_the_maps_players_and_saves_the_targets(
    client, advisor, plan, assigned
):
    player = services.player_add(
        plan=plan,
        actor=advisor,
        name="ראש המועצה",
        kind="local_authority",
        stance="opposes",
        influence=5,
        interest=4,
    )
    client.force_login(advisor)
    page = client.get(_url("plan", assigned)).content.decode()
    action = f'action="{_url("plan_step_add", assigned)}"'
    add_form = page.split(action, 1)[1].split("</form>")[0]
    assert "השחקנים שהצעד מכוון אליהם" in add_form
    assert "ראש המועצה" in add_form
    assert f'value="{player.pk}"' in add_form
    response = client.post(
        _url("plan_step_add", assigned),
        {
            "step-title": "פגישה עם ראש המועצה",
            "step-owner": "organization",
            "step-due_date": engagement.israel_today().isoformat(),
            "step-notes": "",
            "step-milestone": "",
            "step-targets": [player.pk],
        },
    )
    assert response.status_code == 302
    step = plan.steps.get(title="פגישה עם ראש המועצה")
    assert list(step.targets.all()) == [player]


def test_the_step_add_form_refuses_a_player_of_another_map_keeping_the_typing(
    client, advisor, plan, assigned
):
    other = engagement.work_plan_start_from_template(
        consultation=ConsultationFactory(status=Status.ASSIGNED, advisor=advisor),
        actor=advisor,
    )
    stranger = services.player_add(
        plan=other,
        actor=advisor,
        name="זר",
        kind="other",
        stance="unknown",
        influence=3,
        interest=3,
    )
    services.player_add(
        plan=plan,
        actor=advisor,
        name="שלנו",
        kind="other",
        stance="unknown",
        influence=3,
        interest=3,
    )
    client.force_login(advisor)
    response = client.post(
        _url("plan_step_add", assigned),
        {
            "step-title": "צעד שנשאר",
            "step-owner": "organization",
            "step-due_date": engagement.israel_today().isoformat(),
            "step-targets": [stranger.pk],
        },
    )
    assert response.status_code == 400
    assert "צעד שנשאר" in response.content.decode()
    assert not plan.steps.filter(title="צעד שנשאר").exists()


def test_a_milestone_is_renamed_and_deleted_in_the_workspace(
    client, advisor, plan, assigned
):
    milestone = plan.milestones.first()
    steps = milestone.steps.count()
    client.force_login(advisor)
    url = _url("milestone_edit", assigned, milestone_pk=milestone.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"milestone-title": "שלב א׳", "milestone-shown": milestone.title}
    )
    assert response.status_code == 302
    response = client.post(
        _url("milestone_delete", assigned, milestone_pk=milestone.pk),
        {"shown": "שלב א׳"},
    )
    assert response.status_code == 302
    assert plan.steps.filter(milestone=None).count() >= steps
    kinds = list(plan.events.values_list("kind", flat=True))
    assert PlanEvent.Kind.MILESTONE_CHANGED in kinds
    assert PlanEvent.Kind.MILESTONE_DELETED in kinds


def test_an_empty_milestone_title_keeps_the_page(client, advisor, plan, assigned):
    milestone = plan.milestones.first()
    client.force_login(advisor)
    response = client.post(
        _url("milestone_edit", assigned, milestone_pk=milestone.pk),
        {"milestone-title": "", "milestone-shown": milestone.title},
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def test_the_printable_plan_holds_the_steps_the_chart_and_every_player(
    client, advisor, plan, assigned
):
    _add(plan, advisor, 12)
    client.force_login(advisor)
    page = client.get(_url("plan_print", assigned)).content.decode()
    assert 'dir="rtl"' in page
    assert "players.css" in page
    assert plan.steps.first().title in page
    assert all(f"שחקן {n}<" in page for n in range(12))
    org_page = client.get(_status_url("status_plan_print")).content.decode()
    assert "<svg" in org_page
    plan_page = client.get(_url("plan", assigned)).content.decode()
    assert _url("plan_print", assigned) in plan_page
    status_plan = client.get(_status_url("status_plan")).content.decode()
    assert _status_url("status_plan_print") in status_plan
    assert _status_url("status_players") in status_plan


def test_300_players_stay_legible_in_the_chart_and_all_are_in_the_table(
    client, advisor, plan, assigned
):
    _add(plan, advisor, MAX_PLAYERS_PER_PLAN)
    client.force_login(advisor)
    page = client.get(_url("players", assigned)).content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    # Twenty cells, at most four markers each, one of them a "+" count.
    assert len(re.findall(r"<circle ", svg)) <= 20 * 4
    counts = [int(n) for n in re.findall(r">\+(\d+)<", svg)]
    shown = len(re.findall(r"<circle ", svg)) - len(counts)
    assert shown + sum(counts) == MAX_PLAYERS_PER_PLAN
    table = page.split('class="table table-sm players-table"', 1)[1]
    assert table.count('<tr id="player-') == MAX_PLAYERS_PER_PLAN


# Not "page": that name is Playwright's browser page fixture.
@pytest.mark.parametrize("page_name", ["players", "plan_print"])
def test_the_advisors_pages_run_a_constant_number_of_queries(
    client, advisor, plan, assigned, page_name, django_assert_num_queries
):
    _add(plan, advisor, 5)
    client.force_login(advisor)
    url = _url(page_name, assigned)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _add(plan, advisor, MAX_PLAYERS_PER_PLAN - 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("page_name", ["status_players", "status_plan_print"])
def test_the_organizations_pages_run_a_constant_number_of_queries(
    client, advisor, plan, page_name, django_assert_num_queries
):
    _add(plan, advisor, 5)
    url = _status_url(page_name)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _add(plan, advisor, MAX_PLAYERS_PER_PLAN - 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_before_the_plan_starts_the_map_says_so(client, advisor, assigned):
    client.force_login(advisor)
    page = client.get(_url("players", assigned))
    assert page.status_code == 200
    assert "יש להתחיל קודם את התכנית" in page.content.decode()
