"""The map of the players in Chromium, in Hebrew (issue 18).

The advisor opens the map from the work plan, adds players, sees them in
the chart and the table, sees a key player listed with no step, links a
step to it from the step's edit form, and the list updates; the
organization opens the map from its status page. axe-core checks every
page visited.
"""

import hashlib
import secrets

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.models import Consultation
from consultations.services.engagement import work_plan_start_from_template
from tests.browser.layout_support import scrolls_sideways
from tests.consultations.conftest import ConsultationFactory, create_staff_groups
from tests.factories import PASSWORD, AdvisorProfileFactory, UserFactory

Status = Consultation.Status


@pytest.fixture
def plan_templates(catalog):
    create_staff_groups()


def _add_player(page, name, kind, stance, influence, interest):
    page.locator("#id_player-name").fill(name)
    page.locator("#id_player-kind").select_option(kind)
    page.locator("#id_player-stance").select_option(stance)
    page.locator("#id_player-influence").select_option(str(influence))
    page.locator("#id_player-interest").select_option(str(interest))
    page.get_by_role("button", name="הוספת השחקן").click()
    expect(page.locator(".alert-success")).to_contain_text("השחקן נוסף למיפוי")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_advisor_maps_the_players_and_links_a_step_to_a_key_player(
    page, live_server, plan_templates, assert_accessible
):
    advisor = AdvisorProfileFactory(
        user=UserFactory(username="noa", first_name="Noa"), languages=["he"]
    ).user
    token = secrets.token_urlsafe(32)
    consultation = ConsultationFactory(
        status=Status.ASSIGNED,
        advisor=advisor,
        status_token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    plan = work_plan_start_from_template(consultation=consultation, actor=advisor)
    step = plan.steps.first()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("noa")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/workspace/")

    page.goto(f"{live_server.url}/workspace/requests/{consultation.pk}/plan/")
    page.get_by_role("link", name="מיפוי השחקנים", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text("מיפוי השחקנים")
    assert_accessible(page)

    _add_player(page, "ראש המועצה", "local_authority", "opposes", 5, 4)
    _add_player(page, "משרד החינוך", "ministry", "supports", 4, 2)
    _add_player(page, "העיתון המקומי", "media", "neutral", 2, 5)

    chart = page.locator("figure.player-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(3)
    table = page.locator("table.players-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("העיתון המקומי")
    key_list = page.locator("#key-players-list")
    expect(key_list).to_contain_text("ראש המועצה")
    expect(key_list).to_contain_text("משרד החינוך")
    assert_accessible(page)

    page.goto(
        f"{live_server.url}/workspace/requests/{consultation.pk}/plan/steps/{step.pk}/"
    )
    page.get_by_label("ראש המועצה", exact=False).check()
    page.get_by_role("button", name="שמירת הצעד").click()
    expect(page.locator(".alert-success")).to_contain_text("הצעד נשמר")

    page.get_by_role("link", name="מיפוי השחקנים", exact=True).click()
    key_list = page.locator("#key-players-list")
    expect(key_list).not_to_contain_text("ראש המועצה")
    expect(key_list).to_contain_text("משרד החינוך")
    row = page.locator("table.players-table tr", has_text="ראש המועצה")
    expect(row).to_contain_text(step.title)
    assert_accessible(page)

    org_page = page.context.browser.new_page()
    status_path = reverse("consultations:request_status", kwargs={"token": token})
    org_page.goto(f"{live_server.url}{status_path}")
    org_page.get_by_role("link", name="מיפוי השחקנים", exact=True).click()
    expect(org_page.locator("figure.player-chart svg circle")).to_have_count(3)
    expect(org_page.locator("table.players-table")).to_contain_text("ראש המועצה")
    assert_accessible(org_page)
    org_page.set_viewport_size({"width": 320, "height": 640})
    assert not scrolls_sideways(org_page)  # the wide table scrolls by itself
    org_page.get_by_role("link", name="התכנית והמיפוי להדפסה").click()
    expect(org_page.locator("h1")).to_contain_text("תכנית עבודה")
    assert not scrolls_sideways(org_page)
    assert_accessible(org_page)
