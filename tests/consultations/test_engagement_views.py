"""The work plan's pages (issue 18): who reaches them, what a refused
change shows, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation, PlanStep, StepOwner
from consultations.services import engagement as services
from consultations.services.engagement import israel_today
from tests.consultations.conftest import ConsultationFactory

pytestmark = pytest.mark.django_db

Status = Consultation.Status
TOKEN = "plan-status-token-0000000000000000000000"


@pytest.fixture
def assigned(advisor):
    return ConsultationFactory(
        status=Status.ASSIGNED, advisor=advisor, status_token=TOKEN
    )


@pytest.fixture
def plan(assigned, advisor):
    return services.work_plan_start_from_template(consultation=assigned, actor=advisor)


def _url(name, consultation, language="he", **kwargs):
    with translation.override(language):
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk, **kwargs})


def _status_url(name="status_plan", language="he", token=TOKEN, **kwargs):
    with translation.override(language):
        return reverse(f"consultations:{name}", kwargs={"token": token, **kwargs})


def test_the_advisor_starts_the_plan_from_the_template(client, advisor, assigned):
    client.force_login(advisor)
    page = client.get(_url("plan", assigned))
    assert page.status_code == 200
    assert "פתיחת התכנית מהתבנית" in page.content.decode()
    response = client.post(_url("plan_start", assigned))
    assert response.status_code == 302
    assert assigned.work_plan.steps.count() >= 4
    page = client.get(_url("plan", assigned))
    assert assigned.work_plan.steps.first().title in page.content.decode()


@pytest.mark.parametrize("who", ["other_advisor", "plain_staff"])
def test_others_get_404_on_every_plan_url(client, request, advisor, who):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    plan = services.work_plan_start_from_template(consultation=crisis, actor=advisor)
    step = plan.steps.first()
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("plan", crisis)).status_code == 404
    assert client.post(_url("plan_start", crisis)).status_code == 404
    assert client.post(_url("plan_step_add", crisis), {}).status_code == 404
    assert (
        client.get(_url("plan_step_edit", crisis, step_pk=step.pk)).status_code == 404
    )
    response = client.post(
        _url("plan_step_status", crisis, step_pk=step.pk), {"status": "done"}
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.status == PlanStep.Status.PLANNED


def test_a_coordinator_sees_a_crisis_plan(client, advisor, coordinator):
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    services.work_plan_start_from_template(consultation=crisis, actor=advisor)
    client.force_login(coordinator)
    assert client.get(_url("plan", crisis)).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, plan, assigned):
    assert client.get(_url("plan", assigned)).status_code == 302


def test_a_step_in_the_past_with_no_owner_shows_the_errors_and_keeps_the_typing(
    client, advisor, plan, assigned
):
    client.force_login(advisor)
    yesterday = (israel_today() - timedelta(days=1)).isoformat()
    response = client.post(
        _url("plan_step_add", assigned),
        {
            "step-title": "מיפוי חברי הוועדה",
            "step-owner": "",
            "step-due_date": yesterday,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert "מיפוי חברי הוועדה" in body
    assert "מי אחראי" in body  # no owner, in Hebrew
    response = client.post(
        _url("plan_step_add", assigned, language="ar"),
        {
            "step-title": "مهمة",
            "step-owner": StepOwner.ADVISOR,
            "step-due_date": yesterday,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert yesterday in body
    assert "مهمة" in body
    assert "الموعد" in body  # past date, in Arabic


def test_a_stale_status_change_is_refused(client, advisor, plan, assigned):
    client.force_login(advisor)
    step = plan.steps.first()
    shown = step.version
    client.post(
        _url("plan_step_status", assigned, step_pk=step.pk),
        {"status": "in_progress", "version": shown},
    )
    response = client.post(
        _url("plan_step_status", assigned, step_pk=step.pk),
        {"status": "dropped", "version": shown},
        follow=True,
    )
    step.refresh_from_db()
    assert step.status == PlanStep.Status.IN_PROGRESS
    assert "הצעד השתנה מאז שהעמוד נטען" in response.content.decode()


def test_the_organization_sees_the_plan_and_marks_its_own_step_done(client, plan):
    page = client.get(_status_url())
    assert page.status_code == 200
    own = plan.steps.filter(owner=StepOwner.ORGANIZATION).first()
    assert own.title in page.content.decode()
    response = client.post(
        _status_url("status_plan_done", step_pk=own.pk), {"version": own.version}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == PlanStep.Status.DONE


def test_the_organization_cannot_mark_the_advisors_step_done(client, plan):
    step = plan.steps.filter(owner=StepOwner.ADVISOR).first()
    client.post(
        _status_url("status_plan_done", step_pk=step.pk), {"version": step.version}
    )
    step.refresh_from_db()
    assert step.status == PlanStep.Status.PLANNED


def test_another_requests_link_cannot_reach_this_plans_steps(client, plan, advisor):
    other_token = "plan-status-token-1111111111111111111111"
    other = ConsultationFactory(
        status=Status.ASSIGNED, advisor=advisor, status_token=other_token
    )
    services.work_plan_start_from_template(consultation=other, actor=advisor)
    step = plan.steps.filter(owner=StepOwner.ORGANIZATION).first()
    response = client.post(
        _status_url("status_plan_done", token=other_token, step_pk=step.pk),
        {"version": step.version},
    )
    assert response.status_code == 404
    bad = client.get(_status_url(token="plan-status-token-9999999999999999999999"))
    assert bad.status_code == 404


def test_an_empty_note_keeps_the_page_with_its_error(client, plan):
    step = plan.steps.first()
    response = client.post(
        _status_url("status_plan_note", step_pk=step.pk),
        {f"note-{step.pk}-note": "   ", f"note-{step.pk}-version": step.version},
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def _grow(plan, advisor, count):
    for n in range(count):
        services.plan_step_add(
            plan=plan,
            actor=advisor,
            title=f"צעד {n}",
            owner=StepOwner.ORGANIZATION,
            due_date=israel_today(),
        )
    services.turning_point_add(plan=plan, actor=advisor, on=israel_today(), note="x")


def test_the_advisors_plan_page_runs_a_constant_number_of_queries(
    client, advisor, plan, assigned, django_assert_num_queries
):
    client.force_login(advisor)
    url = _url("plan", assigned)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(plan, advisor, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_organizations_plan_page_runs_a_constant_number_of_queries(
    client, advisor, plan, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(_status_url())
    with CaptureQueriesContext(connection) as small:
        client.get(_status_url())
    _grow(plan, advisor, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(_status_url())


def test_the_workspace_request_page_and_the_status_page_link_to_the_plan(
    client, advisor, plan, assigned
):
    assert _status_url() in client.get(_status_url("request_status")).content.decode()
    client.force_login(advisor)
    page = client.get(_url("request_detail", assigned)).content.decode()
    assert _url("plan", assigned) in page


def test_staff_see_the_plan_in_the_admin_and_crisis_plans_by_the_rule(
    admin_client, client, plan, plain_staff, advisor
):
    from django.contrib.auth.models import Permission

    with translation.override("he"):
        url = reverse("admin:consultations_workplan_change", args=[plan.pk])
        changelist = reverse("admin:consultations_workplan_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert plan.steps.first().title in page.content.decode()
    crisis = ConsultationFactory(crisis=True, status=Status.ASSIGNED, advisor=advisor)
    crisis_plan = services.work_plan_start_from_template(
        consultation=crisis, actor=advisor
    )
    plain_staff.user_permissions.add(Permission.objects.get(codename="view_workplan"))
    client.force_login(plain_staff)
    listing = client.get(changelist).content.decode()
    assert crisis.reference not in listing
    assert plan.consultation.reference in listing
    with translation.override("he"):
        crisis_url = reverse(
            "admin:consultations_workplan_change", args=[crisis_plan.pk]
        )
    assert client.get(crisis_url).status_code in (302, 404)


def test_a_stale_step_edit_page_is_refused_and_keeps_what_was_typed(
    client, advisor, plan, assigned
):
    client.force_login(advisor)
    step = plan.steps.first()
    url = _url("plan_step_edit", assigned, language="en", step_pk=step.pk)
    shown = step.version
    services.plan_step_set_status(
        step=step, actor=advisor, status="in_progress", expected_version=shown
    )
    response = client.post(
        url,
        {
            "step-title": "Meet the council's education committee",
            "step-owner": step.owner,
            "step-due_date": step.due_date.isoformat(),
            "step-status": "done",
            "step-notes": "",
            "step-version": shown,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "reload it" in body
    assert "Meet the council&#x27;s education committee" in body
    step.refresh_from_db()
    assert step.status == PlanStep.Status.IN_PROGRESS


def test_bidi_controls_typed_in_the_page_are_not_stored(
    client, advisor, plan, assigned
):
    client.force_login(advisor)
    client.post(
        _url("plan_step_add", assigned),
        {
            "step-title": "\u202eפגישה\u202c עם הוועדה",
            "step-owner": StepOwner.ADVISOR,
            "step-due_date": israel_today().isoformat(),
        },
    )
    assert plan.steps.filter(title="פגישה עם הוועדה").exists()


def test_working_on_the_plan_is_not_limited_but_guessing_links_is(
    client, plan, settings
):
    """The status-link limit counts misses: an organization opens its plan
    many times; after too many unknown links every plan URL answers 429,
    a right guess included."""
    settings.RATELIMIT_LOOKUP = "3/h"
    for _ in range(6):
        assert client.get(_status_url()).status_code == 200
    unknown = "plan-status-token-9999999999999999999999"
    answers = [client.get(_status_url(token=unknown)).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert client.get(_status_url()).status_code == 429
