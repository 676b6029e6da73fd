"""The work plan in Chromium, in Hebrew (issue 18).

The advisor opens the request's work plan, starts it from the track's
template and adds a step for the organization; the organization opens the
plan from its status link and marks that step done. axe-core checks every
page visited.
"""

import hashlib
import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.models import Consultation, PlanStep
from consultations.services.engagement import israel_today
from tests.consultations.conftest import ConsultationFactory, create_staff_groups
from tests.factories import PASSWORD, AdvisorProfileFactory, UserFactory

Status = Consultation.Status


@pytest.fixture
def plan_templates(catalog):
    """The catalog fixture reloads the templates; the groups come back too."""
    create_staff_groups()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_advisor_builds_a_plan_and_the_organization_ticks_off_its_step(
    page, live_server, plan_templates, assert_accessible
):
    advisor = AdvisorProfileFactory(
        user=UserFactory(username="yael", first_name="Yael"), languages=["he"]
    ).user
    token = secrets.token_urlsafe(32)
    consultation = ConsultationFactory(
        status=Status.ASSIGNED,
        advisor=advisor,
        status_token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("yael")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/workspace/")

    page.goto(f"{live_server.url}/workspace/requests/{consultation.pk}/")
    page.get_by_role("link", name="תכנית עבודה").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    page.get_by_role("button", name="פתיחת התכנית מהתבנית").click()
    expect(page.locator(".alert-success")).to_contain_text("נפתחה מהתבנית")
    assert_accessible(page)

    due = (israel_today() + timedelta(days=10)).isoformat()
    page.locator("#id_step-title").fill("פגישה עם יו״ר ועדת החינוך")
    page.locator("#id_step-owner").select_option("organization")
    page.locator("#id_step-due_date").fill(due)
    page.get_by_role("button", name="הוספת הצעד").click()
    expect(page.locator(".alert-success")).to_contain_text("הצעד נוסף")
    expect(page.locator("section[aria-labelledby=steps-heading]")).to_contain_text(
        "פגישה עם יו״ר ועדת החינוך"
    )
    assert_accessible(page)
    step = PlanStep.objects.get(title="פגישה עם יו״ר ועדת החינוך")

    org_page = page.context.browser.new_page()
    status_path = reverse("consultations:request_status", kwargs={"token": token})
    org_page.goto(f"{live_server.url}{status_path}")
    org_page.get_by_role("link", name="תכנית העבודה").click()
    assert_accessible(org_page)
    item = org_page.locator(f"#step-{step.pk}")
    item.get_by_role("button", name="סימון כבוצע").click()
    expect(org_page.locator(".alert-success")).to_contain_text("הצעד סומן כבוצע")
    expect(org_page.locator(f"#step-{step.pk}")).to_contain_text("בוצע")
    assert_accessible(org_page)
    step.refresh_from_db()
    assert step.status == PlanStep.Status.DONE
    assert step.plan.events.latest("pk").by_organization
