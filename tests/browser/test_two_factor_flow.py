"""A staff member's first sign-in with two-factor required, in Chromium and
in Hebrew (right to left): the password leads to setting up an
authenticator, the key read off the page gives the code that confirms it,
the backup codes are shown once, and the admin opens. axe-core checks every
page on the way."""

import base64

import pytest
from django.contrib import admin
from django_otp.admin import OTPAdminSite
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def otp_admin():
    """The admin as production runs it (test settings switch it off)."""
    previous = admin.site.__class__
    admin.site.__class__ = OTPAdminSite
    yield admin.site
    admin.site.__class__ = previous


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_enroll_an_authenticator_at_their_first_sign_in(
    page, live_server, catalog, settings, otp_admin, assert_accessible
):
    settings.ADMIN_REQUIRE_OTP = True
    UserFactory(username="dana", is_staff=True, is_superuser=True)

    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
    page.get_by_label("שם משתמש").fill("dana")
    page.get_by_label("סיסמה").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()

    # Setting up: the QR code, and the key for typing by hand.
    expect(page.locator("h1")).to_have_text("הגדרת כניסה בשני שלבים")
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)
    page.get_by_label("קוד מאפליקציית האימות").fill(f"{totp(key):06d}")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()

    # The backup codes, once.
    expect(page.locator("h1")).to_have_text("קודי הגיבוי שלך")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="שמרתי אותם, להמשך").click()

    assert page.url == f"{live_server.url}/admin/"
    expect(page.locator("#site-name, #header")).not_to_have_count(0)
    expect(page.locator("#id_otp_token")).to_have_count(0)
    assert_accessible(page)

    # The menu's two-factor page: on, with ten backup codes left.
    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.locator("h1")).to_have_text("כניסה בשני שלבים")
    expect(page.locator("main")).to_contain_text("10")
    assert_accessible(page)
