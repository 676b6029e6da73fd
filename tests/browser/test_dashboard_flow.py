"""The dashboard in Chromium.

A coordinator signs in on the portal's page (Hebrew), opens the dashboard
from the menu, filters by a track, downloads a table as CSV, follows an
organization to its page, and merges a duplicate of it in the admin.
axe-core checks the dashboard in Hebrew and English, the organization page
and the merge confirmation.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Consultation, Organization
from consultations.roles import COORDINATORS_GROUP
from tests.conftest import AXE_TAGS
from tests.consultations.conftest import create_staff_groups
from tests.factories import (
    PASSWORD,
    AdvisorProfileFactory,
    ConsultationFactory,
    FeedbackFactory,
    OrganizationFactory,
    UserFactory,
    catalog_track,
)

Status = Consultation.Status


@pytest.fixture
def figures_data(catalog):
    """A year of requests on two tracks, with feedback, an advisor's load
    and a crisis request."""
    create_staff_groups()
    now = timezone.now()
    advisor = AdvisorProfileFactory(
        user=UserFactory(username="yael", first_name="Yael"), capacity=3
    ).user
    organization = OrganizationFactory(name="עמותת גשר לשוויון")
    planning = catalog_track("strategic-planning")
    for index in range(6):
        submitted = now - timedelta(days=40 * index)
        ConsultationFactory(
            history=False,
            organization=organization,
            track=planning,
            submitted_at=submitted,
            first_response_due_at=submitted + timedelta(days=3),
            first_responded_at=submitted + timedelta(days=index % 4 + 1),
            status=Status.IN_PROGRESS,
            advisor=advisor,
        )
        completed = ConsultationFactory(
            history=False,
            submitted_at=submitted,
            first_response_due_at=submitted + timedelta(days=3),
            first_responded_at=submitted + timedelta(days=2),
            status=Status.COMPLETED,
            closed_at=submitted + timedelta(days=20),
        )
        FeedbackFactory(
            consultation=completed,
            submitted_at=submitted + timedelta(days=25),
            satisfaction=4 + index % 2,
        )
    ConsultationFactory(history=False, crisis=True)
    duplicate = OrganizationFactory(name="גשר לשוויון")
    ConsultationFactory(
        history=False, organization=duplicate, track=catalog_track("coalition")
    )
    return planning, organization, duplicate


def _assert_region_accessible(page, axe_source, selector: str) -> None:
    """axe-core on what the project adds to one of Django's admin pages."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "([selector, tags]) => axe.run({include: [selector]},"
        " {runOnly: {type: 'tag', values: tags}})",
        [selector, AXE_TAGS],
    )
    assert result["violations"] == [], result["violations"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_filters_the_dashboard_and_downloads_a_table(
    page, live_server, figures_data, assert_accessible, axe_source
):
    """The coordinator's journey, from sign-in to a merged duplicate."""
    from django.contrib.auth.models import Group

    planning, organization, duplicate = figures_data
    coordinator = UserFactory(username="noa", first_name="Noa", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("noa")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.locator('.main-nav a[href="/workspace/dashboard/"]').click()

    expect(page).to_have_url(f"{live_server.url}/workspace/dashboard/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#figure-new-requests svg")).to_be_visible()
    assert_accessible(page)

    page.locator("#id_track").select_option(str(planning.pk))
    page.locator("form.dashboard-filters [type=submit]").click()
    expect(page).to_have_url(
        re.compile(rf"/workspace/dashboard/\?.*track={planning.pk}")
    )
    totals = page.locator("#figure-status tbody tr").last
    expect(totals.locator("td")).to_have_text("6")
    expect(page.locator("#id_track")).to_have_value(str(planning.pk))

    with page.expect_download() as download_info:
        page.locator("#figure-new-requests a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("new-requests-")
    body = open(download.path(), "rb").read()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "תכנון אסטרטגי" in text  # the track's Hebrew title
    assert text.strip().splitlines()[-1].endswith(",6,6")

    page.locator("#figure-organizations tbody a").first.click()
    expect(page.locator("h1")).to_have_text(organization.name)
    assert_accessible(page)

    page.goto(f"{live_server.url}/en/workspace/dashboard/?track={planning.pk}")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert_accessible(page)

    # The duplicate found, the coordinator merges it in the admin.
    page.goto(f"{live_server.url}/admin/consultations/organization/")
    for item in (organization, duplicate):
        page.locator(f'input.action-select[value="{item.pk}"]').check()
    page.locator("select[name=action]").select_option("merge_selected")
    page.locator("button[name=index]").click()
    expect(page.locator(".organization-merge")).to_contain_text(duplicate.name)
    _assert_region_accessible(page, axe_source, ".organization-merge")
    page.locator(f'input[name=target][value="{organization.pk}"]').check()
    page.locator(".organization-merge [type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text(duplicate.name)
    assert organization.consultations.count() == 7
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
