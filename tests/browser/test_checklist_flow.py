"""The checklist of policy tools in Chromium, in Hebrew (issue 18).

The organization opens the checklist from its status page, fills it in
and sees its profile; the advisor opens the profile in the workspace and
adds a need's suggested step to the work plan. axe-core checks every page
visited.
"""

import hashlib
import secrets

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.models import Consultation, PlanStep, PolicyTool
from consultations.selectors.checklist import policy_tools_active
from consultations.services.engagement import work_plan_start_from_template
from tests.consultations.conftest import ConsultationFactory, create_staff_groups
from tests.factories import PASSWORD, AdvisorProfileFactory, UserFactory

Status = Consultation.Status


@pytest.fixture
def tools(catalog):
    """The catalog fixture reloads the tools; the groups come back too."""
    create_staff_groups()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_organization_fills_in_the_checklist_and_the_advisor_plans_from_it(
    page, live_server, tools, assert_accessible
):
    advisor = AdvisorProfileFactory(
        user=UserFactory(username="noa", first_name="Noa"), languages=["he"]
    ).user
    token = secrets.token_urlsafe(32)
    consultation = ConsultationFactory(
        status=Status.IN_PROGRESS,
        advisor=advisor,
        preferred_language="he",
        status_token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    knesset = PolicyTool.objects.get(slug="knesset")

    status_path = reverse("consultations:request_status", kwargs={"token": token})
    page.goto(f"{live_server.url}{status_path}")
    page.get_by_role("link", name="צ׳ק ליסט של כלי קידום מדיניות").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    for index, tool in enumerate(policy_tools_active()):
        # "not yet" for the Knesset, "strong and routine" for the first
        # tool, "don't know" for the last, "growing" elsewhere.
        choice = 0 if tool == knesset else 3 if index == 0 else 2
        if index == len(policy_tools_active()) - 1:
            choice = 4
        page.locator(f"#id_checklist-level-{tool.pk}_{choice}").check()
    page.locator(f"#id_checklist-partners-{knesset.pk}").check()
    page.get_by_role("button", name="שמירת הצ׳ק ליסט").click()
    expect(page.locator(".alert-success")).to_contain_text("הצ׳ק ליסט שלכם נשמר")
    profile = page.locator("section[aria-labelledby=profile-heading]")
    expect(profile).to_contain_text("צרכים")
    expect(profile).to_contain_text("הכנסת וועדותיה")
    assert_accessible(page)

    work_plan_start_from_template(consultation=consultation, actor=advisor)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("noa")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/workspace/")
    page.goto(f"{live_server.url}/workspace/requests/{consultation.pk}/")
    page.get_by_role("link", name="צ׳ק ליסט של כלי קידום מדיניות").click()
    assert_accessible(page)
    page.get_by_role(
        "button", name=f"הוספה לתכנית העבודה: {knesset.suggested_step_title_he}"
    ).click()
    expect(page.locator(".alert-success")).to_contain_text("נוסף לתכנית העבודה")
    assert_accessible(page)
    assert PlanStep.objects.filter(
        plan__consultation=consultation, title=knesset.suggested_step_title_he
    ).exists()
