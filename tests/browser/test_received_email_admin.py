"""Staff handle received email in the admin, in Hebrew (right to left), and
axe-core finds nothing on its screens: the list of what waits for them,
one email's page with its decision form (a refused reference, then the
attach), and the request's page that lists its received email. The staff
member is a coordinator, whose group holds the received-email permissions.
"""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from consultations.models import InboundMail, Message
from consultations.roles import COORDINATORS_GROUP
from consultations.services.inbound import inbound_mail_receive
from tests.consultations.conftest import create_staff_groups
from tests.consultations.inbound_support import PDF, REPLY_DOMAIN, reply_mail
from tests.factories import PASSWORD, ConsultationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_attach_a_received_email_on_screens_axe_finds_clean(
    page, live_server, catalog, settings, tmp_path, assert_accessible
):
    settings.INBOUND_MAILBOX = str(tmp_path)
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    create_staff_groups()
    coordinator = UserFactory(username="noa", first_name="Noa", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    consultation = ConsultationFactory()
    held = inbound_mail_receive(
        raw=reply_mail(
            to="portal@example.org",
            sender="someone@example.com",
            subject="שאלה על הבקשה",
            files=(("הצעה.pdf", PDF, "application/pdf"),),
        )
    )
    admin = f"{live_server.url}/admin/consultations"

    page.goto(f"{live_server.url}/admin/")
    page.locator("#id_username").fill("noa")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form [type=submit]").last.click()

    page.goto(f"{admin}/inboundmail/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#result_list")).to_contain_text("שאלה על הבקשה")
    assert_accessible(page)

    page.locator(f'#result_list a[href$="/inboundmail/{held.pk}/change/"]').click()
    expect(page.locator("#content")).to_contain_text("הצעה.pdf")
    assert_accessible(page)

    # A reference staff may not use: the error, in Hebrew, and axe again.
    page.locator("#id_decision").select_option("attach")
    page.locator("#id_reference").fill("SH-1999-00001")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist")).to_be_visible()
    expect(page.locator("#id_reference")).to_have_value("SH-1999-00001")
    assert_accessible(page)

    page.locator("#id_decision").select_option("attach")
    page.locator("#id_reference").fill(consultation.reference)
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    held.refresh_from_db()
    assert held.status == InboundMail.Status.STORED
    assert Message.objects.filter(consultation=consultation).count() == 1
    assert_accessible(page)

    page.goto(f"{admin}/consultation/{consultation.pk}/change/")
    expect(page.locator("#content")).to_contain_text("שאלה על הבקשה")
    assert_accessible(page)
