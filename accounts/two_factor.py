"""Two-factor sign-in (TOTP, django-otp) on the portal's own sign-in page.

The admin checks it itself (OTPAdminSite, shatil_portal/urls.py). The
workspace also shows every request to staff, so with ADMIN_REQUIRE_OTP
(production) staff need a code from their authenticator app here too, and a
staff session that was never verified is signed out of the workspace.
Advisors may use two-factor: once a device is enrolled for them, its code is
required at every sign-in.

Everyone enrolls on their own (two_factor_views.py): a TOTP device is
created unconfirmed, shown as a QR code and a key, and confirmed by one code
from the app; confirming also makes ten one-time backup codes. An
unconfirmed device never counts for sign-in. Staff who must use two-factor
and have no confirmed device are let in with their password only to enroll:
the workspace and the admin both still refuse their unverified session.
"""

import base64
import secrets
import xml.etree.ElementTree as ET

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "backup"
TOTP_DEVICE_NAME = "authenticator"


def two_factor_required(user) -> bool:
    if user.is_staff and settings.ADMIN_REQUIRE_OTP:
        return True
    return can_give_code(user)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def can_give_code(user) -> bool:
    """An authenticator app, or a backup code still unused (an empty set of
    backup codes, or a device never confirmed, cannot sign anybody in)."""
    return (
        has_authenticator(user)
        or StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).exists()
    )


def enrollment_required(user) -> bool:
    """Two-factor applies to the user, who has no authenticator app yet
    (at most a one-time code from an administrator)."""
    return two_factor_required(user) and not has_authenticator(user)


def totp_enrollment_start(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on the first visit and
    kept while they scan it (a reload shows the same key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


@transaction.atomic
def totp_enrollment_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the new authenticator with one of its codes: it replaces any
    earlier device of the user, and ten new backup codes replace the old
    ones. Returns the backup codes, which are shown once."""
    device = TOTPDevice.objects.select_for_update().get(
        pk=device.pk, user=user, confirmed=False
    )
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        raise ValidationError(
            _("The code is wrong or has expired. Try the current one."),
            code="invalid_token",
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME)
    codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=backup, token=code) for code in codes]
    )
    return codes


@transaction.atomic
def two_factor_remove(*, user) -> None:
    """Remove the user's authenticator and backup codes (to replace a lost
    phone, say). Staff who must use two-factor enroll again at once."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _new_backup_code() -> str:
    # Ten letters and digits without look-alikes (0/O, 1/l/I); never all
    # digits, so the sign-in form tells it from an app code by its shape.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(10))
        if not code.isdigit():
            return code


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps take it typed by hand,
    in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice, *, label: str) -> str:
    """The device's otpauth:// link as a QR code, an inline SVG drawn on
    the server (no script, no image request), with a text alternative."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
    )
    svg = image.get_image()
    svg.set("width", "220")
    svg.set("height", "220")
    svg.set("role", "img")
    svg.set("aria-label", str(label))
    svg.set("class", "qr-code")
    return ET.tostring(svg, encoding="unicode")


class SignInForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """A password, then the code when two-factor applies to the user.

    One field takes either the six digits of the authenticator app or a
    one-time backup code (letters and digits); the device is chosen by the
    code's shape, so a failed guess never counts against the other device.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Only if two-factor sign-in is set up for you."),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "dir": "ltr", "size": 10}
        ),
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _(
            "Enter the code from your authenticator app: two-factor sign-in "
            "is required for this account."
        ),
        "invalid_token": _("The code is wrong or has expired. Try the current one."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        # Staff with no way to give a code come in on their password only to
        # enroll an authenticator (SignInView sends them there; the
        # workspace and the admin refuse the unverified session).
        if user is not None and two_factor_required(user) and can_give_code(user):
            self.clean_otp(user)
        return cleaned

    def _update_form(self, user):
        # django-otp would list the devices and echo the password back into
        # the page for a second step; here one step does, so neither is shown.
        pass

    def _chosen_device(self, user):
        token = (self.cleaned_data.get("otp_token") or "").strip()
        model = TOTPDevice if token.isdigit() else StaticDevice
        return next(
            (
                device
                for device in devices_for_user(user, confirmed=True, for_verify=True)
                if isinstance(device, model)
            ),
            None,
        )


class StaffTwoFactorMiddleware:
    """With ADMIN_REQUIRE_OTP, a staff session that no device verified (one
    from before two-factor was switched on, say) is signed out of the
    workspace and sent to sign in again. Goes after django-otp's
    OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            settings.ADMIN_REQUIRE_OTP
            and user.is_authenticated
            and user.is_staff
            and "workspace" in request.resolver_match.namespaces
            and not user.is_verified()
        ):
            logout(request)
            return redirect_to_login(request.get_full_path())
        return None
