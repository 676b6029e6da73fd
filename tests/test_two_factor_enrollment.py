"""Self-service two-factor sign-in: anyone signed in enrolls an
authenticator app (a QR code drawn on the server and the key as text),
confirms it with one code, and gets ten one-time backup codes shown once.
Staff who must use two-factor enroll at their first sign-in; for advisors it
is optional, and required once enrolled. Removing it asks for the password
or a code."""

import base64
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.security_support import ADVISOR, COORDINATOR, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def otp_admin():
    """The admin as production runs it (test settings switch it off)."""
    previous = admin.site.__class__
    admin.site.__class__ = OTPAdminSite
    yield admin.site
    admin.site.__class__ = previous


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The code the authenticator app shows now, or `offset` steps later."""
    engine = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    engine.time = time.time() + offset * device.step
    return f"{engine.token():0{device.digits}d}"


def sign_in(client, username: str, code: str = "", next_url: str = ""):
    with translation.override("en"):
        url = reverse("accounts:login")
    data = {"username": username, "password": PASSWORD, "otp_token": code}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def enroll(client):
    """Open the enrollment page and confirm with the app's current code;
    returns the page shown after confirming."""
    page = client.get(reverse("accounts:two_factor_enroll"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    return client.post(
        reverse("accounts:two_factor_enroll"), {"token": code_for(device)}
    )


def backup_codes(response) -> list[str]:
    listing = re.search(
        r'<ul[^>]*id="backup-codes"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )
    return re.findall(r"<code>([a-z0-9]+)</code>", listing.group(1))


# Enrolling


def test_the_enrollment_page_shows_a_qr_code_and_the_key(client, world):
    """The QR code is an inline SVG (no script, no image request) with a
    text alternative; the key is shown for typing by hand, left to right."""
    client.force_login(world.users[ADVISOR])

    response = client.get(reverse("accounts:two_factor_enroll"))

    content = response.content.decode()
    device = TOTPDevice.objects.get(user=world.users[ADVISOR])
    assert not device.confirmed
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="[^"]+"', content)
    assert "<script" not in content.split("<main", 1)[1]
    secret = re.search(r'<bdi dir="ltr">([A-Z2-7 ]+)</bdi>', content).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    assert 'autocomplete="one-time-code"' in content
    assert 'inputmode="numeric"' in content
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_reload_shows_the_same_key(client, world):
    client.force_login(world.users[ADVISOR])
    client.get(reverse("accounts:two_factor_enroll"))
    client.get(reverse("accounts:two_factor_enroll"))

    assert TOTPDevice.objects.filter(user=world.users[ADVISOR]).count() == 1


def test_an_unconfirmed_device_is_not_asked_for_at_sign_in(client, world):
    """Opening the page and walking away leaves sign-in as it was."""
    advisor_client = type(client)()
    advisor_client.force_login(world.users[ADVISOR])
    advisor_client.get(reverse("accounts:two_factor_enroll"))

    assert sign_in(client, "advisor-a").status_code == 302


def test_a_wrong_code_does_not_confirm(client, world):
    client.force_login(world.users[ADVISOR])
    client.get(reverse("accounts:two_factor_enroll"))
    device = TOTPDevice.objects.get(user=world.users[ADVISOR])
    wrong = "000000" if code_for(device) != "000000" else "111111"

    response = client.post(reverse("accounts:two_factor_enroll"), {"token": wrong})

    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=world.users[ADVISOR]).exists()


def test_the_right_code_confirms_and_shows_ten_backup_codes(client, world):
    client.force_login(world.users[ADVISOR])

    response = enroll(client)

    codes = backup_codes(response)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=world.users[ADVISOR]).confirmed
    stored = StaticDevice.objects.get(user=world.users[ADVISOR]).token_set
    assert sorted(stored.values_list("token", flat=True)) == sorted(codes)
    assert response["Cache-Control"].startswith("max-age=0")


def test_once_enrolled_an_advisor_signs_in_with_a_code(client, world):
    client.force_login(world.users[ADVISOR])
    enroll(client)
    client.logout()

    refused = sign_in(client, "advisor-a")
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session

    device = TOTPDevice.objects.get(user=world.users[ADVISOR])
    # The code used to confirm is spent; the app's next one works.
    assert sign_in(client, "advisor-a", code_for(device, offset=1)).status_code == 302


def test_a_backup_code_works_once(client, world):
    client.force_login(world.users[ADVISOR])
    code = backup_codes(enroll(client))[0]
    client.logout()

    assert sign_in(client, "advisor-a", code).status_code == 302
    client.logout()
    assert sign_in(client, "advisor-a", code).status_code == 200
    assert "_auth_user_id" not in client.session


def test_advisors_find_two_factor_in_their_menu(client, world):
    client.force_login(world.users[ADVISOR])

    response = client.get(reverse("workspace:my_requests"))

    assert reverse("accounts:two_factor") in response.content.decode()


# Staff at their first sign-in


def test_staff_without_an_authenticator_are_sent_to_enroll(client, world, settings):
    """With two-factor required, the password lets staff in only to enroll:
    the workspace still refuses the session until a code confirms a device."""
    settings.ADMIN_REQUIRE_OTP = True
    # An administrator removed the lost phone; an empty set of backup codes
    # (the world's) cannot give a code either.
    TOTPDevice.objects.filter(user=world.users[COORDINATOR]).delete()

    response = sign_in(client, "coordinator", next_url="/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_enroll"))
    assert parse_qs(urlparse(response["Location"]).query)["next"] == ["/admin/"]
    workspace = client.get(reverse("workspace:my_requests"))
    assert reverse("accounts:login") in workspace["Location"]


def test_after_enrolling_staff_reach_the_admin(client, world, settings, otp_admin):
    settings.ADMIN_REQUIRE_OTP = True
    TOTPDevice.objects.filter(user=world.users[COORDINATOR]).delete()
    StaticDevice.objects.filter(user=world.users[COORDINATOR]).delete()
    sign_in(client, "coordinator", next_url="/admin/")
    assert client.get(reverse("admin:index")).status_code == 302

    client.get(reverse("accounts:two_factor_enroll") + "?next=/admin/")
    device = TOTPDevice.objects.get(user=world.users[COORDINATOR])
    response = client.post(
        reverse("accounts:two_factor_enroll"),
        {"token": code_for(device), "next": "/admin/"},
    )

    assert 'href="/admin/"' in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_foreign_next_address_is_not_followed(client, world):
    client.force_login(world.users[ADVISOR])
    client.get(reverse("accounts:two_factor_enroll"))
    device = TOTPDevice.objects.get(user=world.users[ADVISOR])

    response = client.post(
        reverse("accounts:two_factor_enroll"),
        {"token": code_for(device), "next": "https://evil.example/"},
    )

    assert "evil.example" not in response.content.decode()


# Removing


def test_removing_asks_for_the_password(client, world):
    client.force_login(world.users[ADVISOR])
    enroll(client)

    refused = client.post(
        reverse("accounts:two_factor_remove"), {"credential": "wrong-guess"}
    )
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=world.users[ADVISOR]).exists()

    removed = client.post(
        reverse("accounts:two_factor_remove"), {"credential": PASSWORD}
    )
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.users[ADVISOR]).exists()
    assert not StaticDevice.objects.filter(user=world.users[ADVISOR]).exists()
    client.logout()
    assert sign_in(client, "advisor-a").status_code == 302


def test_a_session_that_gave_no_code_cannot_remove_the_authenticator(client, world):
    """The coordinator has an authenticator; a session opened without its
    code (here by force) is sent to sign in, even with the password."""
    client.force_login(world.users[COORDINATOR])

    response = client.post(
        reverse("accounts:two_factor_remove"), {"credential": PASSWORD}
    )

    assert reverse("accounts:login") in response["Location"]
    assert TOTPDevice.objects.filter(user=world.users[COORDINATOR]).exists()


def test_enrolling_again_while_enrolled_goes_through_removal(client, world):
    client.force_login(world.users[ADVISOR])
    enroll(client)

    response = client.get(reverse("accounts:two_factor_enroll"))

    assert response["Location"] == reverse("accounts:two_factor")
    assert TOTPDevice.objects.filter(user=world.users[ADVISOR]).count() == 1


def test_a_one_time_code_from_an_administrator_leads_to_enrolling(
    client, world, settings
):
    """`addstatictoken` (docs/SECURITY.md) still works: the code is asked
    for, and then the staff member sets up their own authenticator."""
    from django.core.management import call_command

    settings.ADMIN_REQUIRE_OTP = True
    TOTPDevice.objects.filter(user=world.users[COORDINATOR]).delete()
    call_command("addstatictoken", "coordinator", token="bootstrap1", stdout=None)

    assert sign_in(client, "coordinator").status_code == 200
    response = sign_in(client, "coordinator", "bootstrap1")

    assert response["Location"].startswith(reverse("accounts:two_factor_enroll"))
    assert client.get(response["Location"]).status_code == 200


def test_the_admins_sign_in_page_leads_staff_without_an_authenticator_to_set_one_up(
    client,
):
    """The admin's own sign-in page cannot enroll anyone: it points to the
    portal's sign-in, which sets up two-factor and then opens the admin."""
    response = client.get(reverse("admin:login"))

    expected = f"{reverse('accounts:login')}?next={reverse('admin:index')}"
    assert f'href="{expected}"' in response.content.decode()
