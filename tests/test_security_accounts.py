"""Staff and advisor sign-in: lockout after repeated failures with a clear
message and a way for staff to unlock, two-factor authentication on the
admin in production, password rules, sessions that end after inactivity,
and the client address that rate limits and lockouts count by."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shatil_portal.client_address import client_address
from tests.factories import PASSWORD
from tests.security_support import ADVISOR, COORDINATOR, build_world

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _fail_to_sign_in(client, url: str, username: str, times: int):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-guess"})
    return response


# Lockout


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(
    client, world, settings
):
    url = reverse("accounts:login")
    _fail_to_sign_in(client, url, "advisor-a", settings.AXES_FAILURE_LIMIT)

    response = client.post(url, {"username": "advisor-a", "password": PASSWORD})

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed sign-in attempts" in content or "ניסיונות" in content
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_the_visitors_language(client, world, settings):
    url = "/en" + reverse("accounts:login")
    _fail_to_sign_in(client, url, "advisor-a", settings.AXES_FAILURE_LIMIT)

    response = client.post(url, {"username": "advisor-a", "password": PASSWORD})

    content = response.content.decode()
    assert "Too many failed sign-in attempts" in content
    assert "ask a coordinator to unlock your account" in content


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(
    client, world, settings
):
    url = reverse("accounts:login")
    _fail_to_sign_in(client, url, "advisor-a", settings.AXES_FAILURE_LIMIT - 1)

    response = client.post(url, {"username": "advisor-a", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users[ADVISOR].pk)


def test_the_admin_sign_in_is_locked_too(client, world, settings):
    url = reverse("admin:login")
    _fail_to_sign_in(client, url, "coordinator", settings.AXES_FAILURE_LIMIT)

    response = client.post(url, {"username": "coordinator", "password": PASSWORD})

    assert response.status_code == 429


def test_a_coordinator_unlocks_the_account_from_the_admin(client, world, settings):
    """The lockout page tells the user to ask a coordinator; coordinators
    delete the failed attempts ("Access attempts") and the user is back."""
    from axes.models import AccessAttempt

    url = reverse("accounts:login")
    _fail_to_sign_in(client, url, "advisor-a", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="advisor-a")

    staff_client = type(client)()
    staff_client.force_login(world.users[COORDINATOR])
    listed = staff_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert "advisor-a" in listed.content.decode()
    deleted = staff_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302

    response = client.post(url, {"username": "advisor-a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users[ADVISOR].pk)


def test_the_command_line_unlocks_too(client, world, settings):
    url = reverse("accounts:login")
    _fail_to_sign_in(client, url, "advisor-a", settings.AXES_FAILURE_LIMIT)

    call_command("axes_reset_username", "advisor-a", verbosity=0)

    response = client.post(url, {"username": "advisor-a", "password": PASSWORD})
    assert response.status_code == 302


def _guess_from_many_addresses(client, username: str, times: int):
    """One wrong password from each of `times` addresses: the per-address
    lock never triggers."""
    url = reverse("accounts:login")
    for attempt in range(times):
        client.post(
            url,
            {"username": username, "password": "wrong-guess"},
            REMOTE_ADDR=f"198.51.100.{attempt + 1}",
        )


def test_guessing_from_many_addresses_locks_the_account(client, world, settings):
    """Rotating addresses does not buy endless guesses: after
    AXES_ACCOUNT_FAILURE_LIMIT failures from all addresses together, the
    account is locked even for its owner with the right password, who is told
    in Hebrew what happened and how to get back in."""
    _guess_from_many_addresses(client, "advisor-a", settings.AXES_ACCOUNT_FAILURE_LIMIT)

    response = client.post(
        reverse("accounts:login"),
        {"username": "advisor-a", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    content = response.content.decode()
    assert "החשבון נעול" in content
    assert reverse("accounts:password_reset") in content
    assert "רכז.ת" in content


def test_the_account_limit_is_higher_than_the_address_limit(client, world, settings):
    """One failure short of the account limit, spread over addresses, still
    lets the owner in: the account lock is not a hair trigger."""
    assert settings.AXES_ACCOUNT_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    _guess_from_many_addresses(
        client, "advisor-a", settings.AXES_ACCOUNT_FAILURE_LIMIT - 1
    )

    response = client.post(
        reverse("accounts:login"),
        {"username": "advisor-a", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )

    assert response.status_code == 302


def test_the_account_lock_spares_other_accounts(client, world, settings):
    _guess_from_many_addresses(client, "advisor-a", settings.AXES_ACCOUNT_FAILURE_LIMIT)

    response = client.post(
        reverse("accounts:login"),
        {"username": "advisor-b", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.1",
    )

    assert response.status_code == 302


def test_a_password_reset_unlocks_the_account(client, world, settings):
    """The lockout page's way back: the emailed reset link sets a new
    password and clears the account's failed sign-ins."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.users[ADVISOR]
    _guess_from_many_addresses(client, "advisor-a", settings.AXES_ACCOUNT_FAILURE_LIMIT)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form_url = client.get(
        reverse("accounts:password_reset_confirm", args=[uid, token])
    )["Location"]
    new_password = "olive-grove-kinneret-71"
    reset = client.post(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert reset.status_code == 302

    response = client.post(
        reverse("accounts:login"),
        {"username": "advisor-a", "password": new_password},
        REMOTE_ADDR="203.0.113.50",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# Two-factor authentication


def _settings_in_subprocess(script: str, **environment) -> str:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shatil_portal.settings",
        DJANGO_SECRET_KEY="x7Gq-9fLm_2Rtz" * 5,
        **environment,
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


ADMIN_SITE_CLASS = (
    "import django; django.setup();"
    "import shatil_portal.urls;"
    "from django.contrib import admin;"
    "site = admin.site.__class__;"
    "print(site.__module__ + '.' + site.__name__)"
)


def test_production_settings_require_a_totp_code_on_the_admin():
    """With DEBUG off and nothing else said, the admin is django-otp's."""
    assert _settings_in_subprocess(ADMIN_SITE_CLASS) == "django_otp.admin.OTPAdminSite"


def test_the_setting_switches_two_factor_on_explicitly():
    output = _settings_in_subprocess(
        ADMIN_SITE_CLASS, DJANGO_DEBUG="true", DJANGO_ADMIN_REQUIRE_OTP="true"
    )
    assert output == "django_otp.admin.OTPAdminSite"


def test_local_development_may_do_without():
    output = _settings_in_subprocess(ADMIN_SITE_CLASS, DJANGO_DEBUG="true")
    assert output == "django.contrib.admin.sites.AdminSite"


@pytest.fixture
def otp_admin():
    """The admin as production runs it (test settings switch it off)."""
    previous = admin.site.__class__
    admin.site.__class__ = OTPAdminSite
    yield admin.site
    admin.site.__class__ = previous


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_with_two_factor_a_password_alone_does_not_open_the_admin(
    client, world, otp_admin
):
    TOTPDevice.objects.create(user=world.users[COORDINATOR], name="phone")

    response = client.post(
        reverse("admin:login"), {"username": "coordinator", "password": PASSWORD}
    )
    index = client.get(reverse("admin:index"))

    assert response.status_code == 200  # the form again, asking for the code
    assert index.status_code == 302
    assert reverse("admin:login") in index["Location"]


def test_a_signed_in_but_unverified_session_is_not_enough(client, world, otp_admin):
    """Signing in on the portal's own page does not verify a device."""
    client.force_login(world.users[COORDINATOR])

    response = client.get(reverse("admin:consultations_consultation_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_password_and_current_totp_code_open_the_admin(client, world, otp_admin):
    device = TOTPDevice.objects.create(user=world.users[COORDINATOR], name="phone")

    response = client.post(
        reverse("admin:login"),
        {
            "username": "coordinator",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _current_code(device),
        },
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_static_token_bootstraps_the_first_sign_in(client, world, otp_admin):
    """docs/SECURITY.md: `manage.py addstatictoken <user>` gives a one-time
    code for the first sign-in, before a TOTP device exists. The sign-in
    form lists the user's devices once the password is right."""
    from django_otp.plugins.otp_static.models import StaticDevice

    call_command("addstatictoken", "coordinator", token="bootstrap1", stdout=None)
    device = StaticDevice.objects.get(
        user=world.users[COORDINATOR], token_set__isnull=False
    )
    data = {
        "username": "coordinator",
        "password": PASSWORD,
        "otp_device": device.persistent_id,
        "otp_token": "bootstrap1",
    }

    first = client.post(reverse("admin:login"), {**data, "otp_token": ""})
    assert device.persistent_id in first.content.decode()
    assert client.post(reverse("admin:login"), data).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    # The code works once.
    client.logout()
    assert client.post(reverse("admin:login"), data).status_code == 200


# Two-factor on the portal's own sign-in page


def _sign_in(client, username: str, code: str = ""):
    with translation.override("en"):
        url = reverse("accounts:login")
    return client.post(
        url,
        {"username": username, "password": PASSWORD, "otp_token": code},
    )


def test_in_production_staff_need_a_code_on_the_portal_too(client, world, settings):
    """The workspace shows staff every request, so a password alone is not
    enough there either."""
    settings.ADMIN_REQUIRE_OTP = True
    device = world.objects["otp_totp.totpdevice"]

    refused = _sign_in(client, "coordinator")
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "two-factor sign-in is required" in refused.content.decode().lower()

    signed_in = _sign_in(client, "coordinator", _current_code(device))
    assert signed_in.status_code == 302
    assert client.get(reverse("workspace:my_requests")).status_code == 200


def test_a_wrong_code_is_refused_and_slows_the_next_try(client, world, settings):
    """django-otp throttles a device after a wrong code (1 s, then doubling)."""
    settings.ADMIN_REQUIRE_OTP = True
    device = world.objects["otp_totp.totpdevice"]
    wrong = "000000" if _current_code(device) != "000000" else "111111"

    assert _sign_in(client, "coordinator", wrong).status_code == 200
    assert _sign_in(client, "coordinator", _current_code(device)).status_code == 200
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_backup_code_signs_staff_in_on_the_portal(client, world, settings):
    settings.ADMIN_REQUIRE_OTP = True
    call_command("addstatictoken", "coordinator", token="backupcode", stdout=None)

    assert _sign_in(client, "coordinator", "backupcode").status_code == 302


def test_a_code_signed_in_on_the_portal_also_opens_the_admin(
    client, world, settings, otp_admin
):
    settings.ADMIN_REQUIRE_OTP = True
    device = world.objects["otp_totp.totpdevice"]

    _sign_in(client, "coordinator", _current_code(device))

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_unverified_staff_session_is_signed_out_of_the_workspace(
    client, world, settings
):
    settings.ADMIN_REQUIRE_OTP = True
    client.force_login(world.users[COORDINATOR])

    response = client.get(reverse("workspace:my_requests"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_advisors_sign_in_with_a_password_when_they_have_no_authenticator(
    client, world, settings
):
    settings.ADMIN_REQUIRE_OTP = True

    assert _sign_in(client, "advisor-a").status_code == 302
    assert client.get(reverse("workspace:my_requests")).status_code == 200


def test_an_advisor_with_an_authenticator_must_use_it(client, world, settings):
    """Two-factor is optional for advisors: once enrolled, it is required."""
    device = TOTPDevice.objects.create(user=world.users[ADVISOR], name="phone")

    assert _sign_in(client, "advisor-a").status_code == 200
    assert "_auth_user_id" not in client.session
    assert _sign_in(client, "advisor-a", _current_code(device)).status_code == 302


def test_the_password_is_never_written_back_into_the_page(client, world, settings):
    settings.ADMIN_REQUIRE_OTP = True

    response = _sign_in(client, "coordinator")

    assert PASSWORD not in response.content.decode()


# Passwords


@pytest.mark.parametrize(
    "password",
    [
        "Short1!",  # under 10 characters
        "password123",  # common
        "4815162342108",  # only digits
        "advisor-a-2026",  # too close to the username
    ],
)
def test_weak_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=world.users[ADVISOR])


def test_a_long_uncommon_password_is_accepted(world):
    validate_password("olive-grove-kinneret-71", user=world.users[ADVISOR])


# Sessions


def test_a_session_ends_after_two_hours_without_activity(client, world):
    client.force_login(world.users[ADVISOR])
    url = reverse("workspace:my_requests")
    assert client.get(url).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        response = client.get(url)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_activity_keeps_the_session_alive(client, world):
    client.force_login(world.users[ADVISOR])
    url = reverse("workspace:my_requests")
    start = timezone.now()

    with time_machine.travel(start + timedelta(hours=1, minutes=50)):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(hours=3, minutes=30)):
        assert client.get(url).status_code == 200


# The client address behind load balancers


def _request(remote="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_address(_request(forwarded="198.51.100.7")) == "203.0.113.9"


def test_behind_one_balancer_the_address_it_saw_counts(settings):
    """Entries the client wrote itself (left) are ignored."""
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = _request(remote="10.0.0.2", forwarded="1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"


def test_behind_two_proxies_the_second_entry_from_the_right_counts(settings):
    settings.TRUSTED_PROXY_HOPS = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = _request(remote="10.0.0.2", forwarded="1.2.3.4, 198.51.100.7, 10.0.0.9")
    assert client_address(request) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "<script>"])
def test_a_missing_or_forged_header_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["203.0.113.9"]
    assert client_address(_request(forwarded=forwarded)) == "203.0.113.9"


def test_a_forged_header_from_a_direct_connection_is_ignored(settings, caplog):
    """A client that reaches the web server itself, not through one of
    DJANGO_TRUSTED_PROXIES, is counted by its own address, whatever it
    writes; a warning says so once per process."""
    from shatil_portal import client_address as module

    module._warn_untrusted_peer_once.cache_clear()
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]

    with caplog.at_level("WARNING", logger="shatil_portal.client_address"):
        answers = [
            client_address(_request(remote="203.0.113.9", forwarded=f"198.51.100.{n}"))
            for n in range(3)
        ]

    assert answers == ["203.0.113.9"] * 3
    warnings = [r for r in caplog.records if "DJANGO_TRUSTED_PROXIES" in r.message]
    assert len(warnings) == 1
    # From a configured proxy (an address within a network, IPv6 too), the
    # header counts.
    assert client_address(_request(remote="10.9.8.7", forwarded="198.51.100.7")) == (
        "198.51.100.7"
    )
    assert client_address(_request(remote="2001:db8::5", forwarded="198.51.100.8")) == (
        "198.51.100.8"
    )


def test_with_hops_but_no_trusted_proxy_configured_nothing_forwarded_counts(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = []
    request = _request(remote="10.0.0.2", forwarded="198.51.100.7")
    assert client_address(request) == "10.0.0.2"


def test_rate_limits_hold_against_a_forged_header_on_a_direct_connection(
    client, settings
):
    """The forged header changes on every post; the limit still counts the
    connection's own address."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "2/h"
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    url = reverse("consultations:lost_link")
    data = {"email": "dana@example.org", "reference": "SH-2026-99999"}
    attacker = fresh_address()

    answers = [
        client.post(
            url, data, REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=fresh_address()
        ).status_code
        for _ in range(3)
    ]

    assert answers == [302, 302, 429]


def test_a_trusted_proxy_setting_that_is_not_an_address_fails_at_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import shatil_portal.test_settings"],
        env={**os.environ, "DJANGO_TRUSTED_PROXIES": "10.0.0.0/8,balancer"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


def fresh_address() -> str:
    """An IPv6 client no earlier run has counted (the counters live in Redis
    for an hour; django-ratelimit counts IPv6 clients per /64)."""
    return "2001:db8:{:x}:{:x}::1".format(*(secrets.randbelow(0xFFFF) for _ in "ab"))


def test_rate_limits_count_per_client_behind_the_balancer(client, settings):
    """Forging the left of X-Forwarded-For does not reset the counter, and
    two clients behind the same balancer have their own counters."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "2/h"
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    url = reverse("consultations:lost_link")
    data = {"email": "dana@example.org", "reference": "SH-2026-99999"}
    address, neighbour = fresh_address(), fresh_address()

    def post(forwarded: str) -> int:
        return client.post(
            url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    answers = [post(f"192.0.2.{attempt}, {address}") for attempt in range(3)]

    assert answers == [302, 302, 429]
    assert post(neighbour) == 302


def test_lockouts_count_per_client_behind_the_balancer(client, world, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    client.post(
        reverse("accounts:login"),
        {"username": "advisor-a", "password": "wrong-guess"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    assert AccessAttempt.objects.get(username="advisor-a").ip_address == (
        "198.51.100.7"
    )
