"""Every admin screen staff work in passes axe-core, in Hebrew (right to left).

The admin is Django's own; DECISIONS.md asks that what the project's
configuration adds be clean. Each list is visited with rows in it, each
change page with a real record, and the pages the project adds: the decline
form and the confirmations of a merge and of an anonymization.
"""

import pytest
from playwright.sync_api import expect

from consultations.services.engagement import work_plan_start_from_template
from tests.factories import (
    PASSWORD,
    AdvisorProfileFactory,
    ConsultationFactory,
    FeedbackFactory,
    FollowUpFactory,
    MessageFactory,
    OrganizationFactory,
    OutboundEmailFactory,
    UserFactory,
)

ADMIN_PAGES = [
    "/admin/",
    "/admin/consultations/consultation/",
    "/admin/consultations/consultation/{consultation}/change/",
    "/admin/consultations/consultation/{consultation}/decline/",
    "/admin/consultations/organization/",
    "/admin/consultations/organization/{organization}/change/",
    "/admin/consultations/advisorprofile/",
    "/admin/consultations/advisorprofile/add/",
    "/admin/consultations/advisorprofile/{profile}/change/",
    "/admin/consultations/outboundemail/",
    "/admin/consultations/outboundemail/{email}/change/",
    "/admin/consultations/followup/",
    "/admin/consultations/feedback/",
    "/admin/consultations/responsepolicy/",
    "/admin/consultations/accesslogentry/",
    "/admin/consultations/organizationmerge/",
    "/admin/consultations/plantemplate/",
    "/admin/consultations/plantemplate/{template}/change/",
    "/admin/consultations/workplan/",
    "/admin/consultations/workplan/{plan}/change/",
    "/admin/tracks/track/",
    "/admin/auth/user/",
]


def _choose_action(page, list_url, action, *, rows):
    """Tick the first `rows` rows of a list and run a list action."""
    page.goto(list_url)
    for checkbox in page.locator("input.action-select").all()[:rows]:
        checkbox.check()
    page.locator("select[name=action]").select_option(action)
    with page.expect_navigation():
        page.locator("button[name=index]").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_screens_pass_axe_core(page, live_server, catalog, assert_accessible):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    profile = AdvisorProfileFactory(user=UserFactory(username="yael"))
    consultation = ConsultationFactory(advisor=profile.user)
    OrganizationFactory()
    MessageFactory(consultation=consultation)
    email = OutboundEmailFactory(consultation=consultation)
    FollowUpFactory(consultation=consultation)
    FeedbackFactory()
    plan = work_plan_start_from_template(
        consultation=ConsultationFactory(status="assigned", advisor=profile.user),
        actor=profile.user,
    )
    ids = {
        "template": plan.consultation.track.plan_template.pk,
        "plan": plan.pk,
        "consultation": consultation.pk,
        "organization": consultation.organization_id,
        "profile": profile.pk,
        "email": email.pk,
    }

    page.goto(f"{live_server.url}/admin/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form [type=submit]").last.click()

    for path in ADMIN_PAGES:
        url = live_server.url + path.format(**ids)
        response = page.goto(url)
        # The page itself, not the sign-in page it would redirect to.
        assert (response.status, page.url) == (200, url)
        assert_accessible(page)

    _choose_action(
        page,
        f"{live_server.url}/admin/consultations/organization/",
        "merge_selected",
        rows=2,
    )
    expect(page.locator("input[name=target]")).to_have_count(2)
    assert_accessible(page)

    _choose_action(
        page,
        f"{live_server.url}/admin/consultations/consultation/",
        "anonymize_selected",
        rows=1,
    )
    expect(page.locator("#id_reason")).to_be_visible()
    assert_accessible(page)
