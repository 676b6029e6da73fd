"""Two-factor sign-in (TOTP, django-otp) on the portal's own sign-in page.

The admin checks it itself (OTPAdminSite, shatil_portal/urls.py). The
workspace also shows every request to staff, so with ADMIN_REQUIRE_OTP
(production) staff need a code from their authenticator app here too, and a
staff session that was never verified is signed out of the workspace.
Advisors may use two-factor: once a device is enrolled for them, its code is
required at every sign-in.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def two_factor_required(user) -> bool:
    if user.is_staff and settings.ADMIN_REQUIRE_OTP:
        return True
    return user_has_device(user, confirmed=True)


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
        "device_required": _(
            "Two-factor sign-in is required for this account, but no "
            "authenticator is set up yet. Ask an administrator for a "
            "one-time code."
        ),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor_required(user):
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
