"""The checklist of policy tools (issue 18): the organization takes it from
its status page (and again, to measure growth), the profile reads strengths
and needs, and the advisor turns a need into a plan step."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations.insight.figures import dashboard_build
from consultations.models import (
    ChecklistAssessment,
    Consultation,
    PlanEvent,
    PolicyTool,
    ToolLevel,
)
from consultations.selectors.checklist import checklist_profile, policy_tools_active
from consultations.selectors.dashboard import (
    DashboardFilters,
    checklist_growth,
    dashboard_tracks,
)
from consultations.services import checklist as services
from consultations.services import engagement
from consultations.services.checklist import ToolAnswer
from consultations.suggestions import suggest_advisors
from tests.consultations.conftest import ConsultationFactory
from tests.factories import catalog_track, request_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

Status = Consultation.Status
Source = ChecklistAssessment.Source
TOKEN = "checklist-status-token-00000000000000000000"


@pytest.fixture
def assigned(advisor):
    return ConsultationFactory(
        status=Status.ASSIGNED, advisor=advisor, status_token=TOKEN
    )


def _answers(level_of=lambda index: ToolLevel.NOT_YET, partners=False):
    return [
        ToolAnswer(tool_id=tool.pk, level=level_of(index), relies_on_partners=partners)
        for index, tool in enumerate(policy_tools_active())
    ]


def _post_data(level="1", **overrides):
    data = {}
    for tool in policy_tools_active():
        data[f"checklist-level-{tool.pk}"] = level
    data.update(overrides)
    return data


def _status_url(language="he", token=TOKEN):
    with translation.override(language):
        return reverse("consultations:status_checklist", kwargs={"token": token})


def _workspace_url(name, consultation, language="he", **kwargs):
    with translation.override(language):
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk, **kwargs})


# The list of tools


def test_the_migration_loads_the_tools_in_three_languages():
    tools = policy_tools_active()
    assert 15 <= len(tools) <= 18
    knesset = PolicyTool.objects.get(slug="knesset")
    assert knesset.title_he == "הכנסת וועדותיה"
    assert knesset.title_ar == "الكنيست ولجانه"
    assert knesset.title_en == "The Knesset and its committees"
    for tool in tools:
        assert tool.title_he and tool.title_ar and tool.title_en
        assert tool.suggested_step_title_he and tool.suggested_step_title_ar


# Taking it


def test_a_taking_is_stored_with_its_sequence_and_answers(assigned):
    first = services.checklist_take(
        consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
    )
    second = services.checklist_take(
        consultation=assigned,
        answers=_answers(lambda index: ToolLevel.STRONG),
        source=Source.STATUS_PAGE,
    )
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.answers.count() == len(policy_tools_active())


@pytest.mark.parametrize(
    "answers, code",
    [
        (lambda: _answers()[1:], "missing"),
        (lambda: [*_answers(), ToolAnswer(tool_id=999999, level=1)], "tools"),
        (lambda: _answers(lambda index: 7), "level"),
    ],
)
def test_bad_answers_are_refused(assigned, answers, code):
    with pytest.raises(ValidationError) as refused:
        services.checklist_take(
            consultation=assigned, answers=answers(), source=Source.STATUS_PAGE
        )
    assert refused.value.code == code
    assert not ChecklistAssessment.objects.exists()


def test_a_withdrawn_request_takes_no_checklist(assigned):
    Consultation.objects.filter(pk=assigned.pk).update(status=Status.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        services.checklist_take(
            consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
        )
    assert refused.value.code == "closed"


# The profile


def test_the_profile_reads_needs_strengths_and_the_change_since_the_first_time(
    assigned,
):
    services.checklist_take(
        consultation=assigned,
        answers=_answers(lambda index: 1 if index < 3 else None),
        source=Source.REQUEST_FORM,
    )
    levels = {0: 4, 1: 2, 2: 1}
    services.checklist_take(
        consultation=assigned,
        answers=_answers(lambda index: levels.get(index)),
        source=Source.STATUS_PAGE,
    )
    profile = checklist_profile(consultation=assigned)
    tools = policy_tools_active()
    assert profile.retaken
    assert [row.tool for row in profile.strengths] == [tools[0]]
    assert [row.tool for row in profile.needs] == [tools[1], tools[2]]
    assert [row.change for row in profile.rows[:4]] == [3, 1, 0, None]
    assert len(profile.unknown) == len(tools) - 3


# The status page


def test_the_organization_fills_in_the_checklist_and_sees_its_profile(client, assigned):
    page = client.get(_status_url())
    assert page.status_code == 200
    response = client.post(_status_url(), _post_data("2"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "הכנסת וועדותיה" in page
    assert ChecklistAssessment.objects.get().source == Source.STATUS_PAGE


def test_missing_answers_show_an_error_in_arabic_and_keep_what_was_chosen(
    client, assigned
):
    tools = policy_tools_active()
    data = _post_data("3")
    del data[f"checklist-level-{tools[0].pk}"]
    data[f"checklist-partners-{tools[1].pk}"] = "on"
    response = client.post(_status_url("ar"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert "لا نعرف" in body  # "don't know", offered in the message
    assert f'value="3" id="id_checklist-level-{tools[1].pk}_2" checked' in body
    assert f'name="checklist-partners-{tools[1].pk}" id=' in body
    assert not ChecklistAssessment.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        {"checklist-level-999999": "1"},
        {"checklist-level-%s": "9"},
    ],
)
def test_tampered_tools_and_levels_are_refused_with_a_message(client, assigned, tamper):
    tool = policy_tools_active()[0]
    data = _post_data("2")
    data.update({key.replace("%s", str(tool.pk)): v for key, v in tamper.items()})
    response = client.post(_status_url(), data)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not ChecklistAssessment.objects.exists()


def test_a_wrong_link_gets_404(client, assigned):
    assert client.get(_status_url(token="x" * 43)).status_code == 404


def test_a_completed_request_is_invited_to_take_it_again(client, assigned):
    Consultation.objects.filter(pk=assigned.pk).update(status=Status.COMPLETED)
    with translation.override("he"):
        page = client.get(
            reverse("consultations:request_status", kwargs={"token": TOKEN})
        )
    assert _status_url() in page.content.decode()
    assert client.post(_status_url(), _post_data("4")).status_code == 302


def test_the_status_checklist_page_runs_a_constant_number_of_queries(
    client, assigned, django_assert_num_queries
):
    services.checklist_take(
        consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
    )
    client.get(_status_url())
    with CaptureQueriesContext(connection) as one:
        client.get(_status_url())
    for _ in range(3):
        services.checklist_take(
            consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(_status_url())


# The workspace


def test_the_advisor_adds_a_needs_suggested_step_to_the_plan(client, advisor, assigned):
    services.checklist_take(
        consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
    )
    client.force_login(advisor)
    page = client.get(_workspace_url("checklist", assigned)).content.decode()
    assert "הכנסת וועדותיה" in page  # a need
    assert "פתחו את תכנית העבודה כדי להוסיף" in page
    tool = PolicyTool.objects.get(slug="knesset")
    response = client.post(
        _workspace_url("checklist_add_step", assigned, tool_pk=tool.pk), follow=True
    )
    assert "קודם יש לפתוח את תכנית העבודה" in response.content.decode()
    plan = engagement.work_plan_start_from_template(
        consultation=assigned, actor=advisor
    )
    before = plan.steps.count()
    client.post(_workspace_url("checklist_add_step", assigned, tool_pk=tool.pk))
    step = plan.steps.order_by("-order").first()
    assert plan.steps.count() == before + 1
    assert step.title == tool.suggested_step_title_he
    assert PlanEvent.objects.filter(
        plan=plan, kind=PlanEvent.Kind.STEP_ADDED, actor=advisor
    ).exists()


@pytest.mark.parametrize("who", ["other_advisor", "plain_staff"])
def test_others_get_404_on_the_workspace_checklist(client, request, advisor, who):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    engagement.work_plan_start_from_template(consultation=crisis, actor=advisor)
    tool = policy_tools_active()[0]
    client.force_login(request.getfixturevalue(who))
    assert client.get(_workspace_url("checklist", crisis)).status_code == 404
    response = client.post(
        _workspace_url("checklist_add_step", crisis, tool_pk=tool.pk)
    )
    assert response.status_code == 404
    assert crisis.work_plan.steps.filter(title=tool.suggested_step_title).count() == 0


def test_a_coordinator_sees_a_crisis_requests_profile(client, advisor, coordinator):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    client.force_login(coordinator)
    assert client.get(_workspace_url("checklist", crisis)).status_code == 200


def test_the_workspace_checklist_page_runs_a_constant_number_of_queries(
    client, advisor, assigned, django_assert_num_queries
):
    services.checklist_take(
        consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
    )
    client.force_login(advisor)
    url = _workspace_url("checklist", assigned)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        services.checklist_take(
            consultation=assigned, answers=_answers(), source=Source.STATUS_PAGE
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


# The advisor suggestion


def test_an_advisor_experienced_with_the_needs_is_suggested_first_and_why(
    make_advisor, assigned, django_assert_num_queries
):
    plain = make_advisor(first_name="Plain")
    expert = make_advisor(first_name="Expert")
    knesset = PolicyTool.objects.get(slug="knesset")
    media = PolicyTool.objects.get(slug="media")
    knesset.advisors.add(expert.advisor_profile)
    media.advisors.add(plain.advisor_profile)
    tools = policy_tools_active()
    services.checklist_take(
        consultation=assigned,
        answers=_answers(lambda index: 1 if tools[index] == knesset else 4),
        source=Source.STATUS_PAGE,
    )
    consultation = Consultation.objects.select_related("organization").get(
        pk=assigned.pk
    )
    with translation.override("en"), django_assert_num_queries(3):
        suggestions = suggest_advisors(consultation=consultation)
    assert [s.advisor for s in suggestions][:1] == [expert]
    assert (
        "Experienced with the organization's checklist needs: "
        "The Knesset and its committees" in suggestions[0].reasons
    )
    assert not any("checklist" in reason for reason in suggestions[1].reasons)


# The dashboard


def test_the_dashboard_shows_retakes_and_the_average_change_per_tool(
    coordinator, django_assert_num_queries
):
    track = catalog_track("professional-development")
    now = timezone.now()
    tools = policy_tools_active()
    first_tool = tools[0]
    for rise in (1, 3, None):
        consultation = ConsultationFactory(
            history=False, track=track, submitted_at=now - timedelta(days=3)
        )
        services.checklist_take(
            consultation=consultation, answers=_answers(), source=Source.STATUS_PAGE
        )
        if rise is not None:
            services.checklist_take(
                consultation=consultation,
                answers=_answers(
                    lambda index, rise=rise: 1 + rise if index == 0 else 1
                ),
                source=Source.STATUS_PAGE,
            )
    filters = DashboardFilters(start=now.date().replace(day=1), end=now.date())
    tracks = dashboard_tracks(user=coordinator)
    with django_assert_num_queries(3):
        growth = checklist_growth(user=coordinator, filters=filters, tracks=tracks)
    (group,) = growth.groups
    assert (group.track, group.took, group.retook) == (track, 3, 2)
    assert group.change_by_tool[first_tool.pk] == 2.0
    assert group.change_by_tool[tools[1].pk] == 0.0
    with translation.override("en"):
        figure = dashboard_build(
            user=coordinator, filters=filters, tracks=tracks
        ).figure("checklist-growth")
    rows = {row.header: row.cells for row in figure.table.rows}
    assert rows["Organizations that filled it in again"] == [2]
    assert rows[first_tool.title_en] == [2.0]
    assert figure.table.columns[1].endswith(str(now.year))


# The request form's optional section (professional development)


def test_the_request_form_takes_the_checklist_for_professional_development(
    client, catalog
):
    data = request_form_data(track="professional-development", **_post_data("2"))
    response = client.post("/request/", data)
    assert response.status_code == 302
    assessment = ChecklistAssessment.objects.get()
    assert (assessment.sequence, assessment.source) == (1, Source.REQUEST_FORM)
    assert assessment.consultation.track.slug == "professional-development"


def test_the_section_is_optional_and_ignored_on_other_tracks(client, catalog):
    empty = request_form_data(
        track="professional-development", submission_key=str(uuid.uuid4())
    )
    assert client.post("/request/", empty).status_code == 302
    other = request_form_data(submission_key=str(uuid.uuid4()), **_post_data("9"))
    assert client.post("/request/", other).status_code == 302
    assert Consultation.objects.count() == 2
    assert not ChecklistAssessment.objects.exists()


def test_a_half_filled_section_is_refused_in_hebrew_with_everything_kept(
    client, catalog
):
    tools = policy_tools_active()
    answers = _post_data("4")
    del answers[f"checklist-level-{tools[-1].pk}"]
    data = request_form_data(track="professional-development", **answers)
    response = client.post("/request/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    assert "לא יודעים" in body
    assert f'value="4" id="id_checklist-level-{tools[0].pk}_3" checked' in body
    assert "עמותת שוויון בנגב" in body
    assert not Consultation.objects.exists()


def test_the_form_script_is_told_which_track_shows_the_checklist(client):
    from consultations.forms.request import ConsultationRequestForm

    flags = ConsultationRequestForm().track_flags()
    assert flags["professional-development"]["checklist"] is True
    assert not any(
        flag["checklist"]
        for slug, flag in flags.items()
        if slug != "professional-development"
    )
    # Without the script the section is on the page for every track.
    assert (
        'id="checklist-section"'
        in client.get("/request/?track=coalition").content.decode()
    )
