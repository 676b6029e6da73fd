"""Self-service two-factor: enroll an authenticator app (QR code and key,
confirmed by one code, then backup codes shown once), and remove it after
re-entering the password or a code. The rules live in two_factor.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticToken

from .two_factor import (
    enrollment_required,
    has_authenticator,
    totp_enrollment_confirm,
    totp_enrollment_start,
    totp_qr_svg,
    totp_secret,
    two_factor_remove,
)


class SignInView(LoginView):
    """The portal's sign-in; staff who must use two-factor and have no
    authenticator yet go straight to enrolling one."""

    redirect_authenticated_user = True

    def get_success_url(self):
        if enrollment_required(self.request.user):
            url = reverse("accounts:two_factor_enroll")
            next_url = self.get_redirect_url()
            return f"{url}?{urlencode({'next': next_url})}" if next_url else url
        return super().get_success_url()


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits, as the app shows them now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "dir": "ltr",
                "size": 10,
            }
        ),
    )


class ConfirmIdentityForm(forms.Form):
    credential = forms.CharField(
        label=_("Your password, or a code from your authenticator app"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "dir": "ltr"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_credential(self):
        credential = self.cleaned_data["credential"]
        if self.user.check_password(credential):
            return credential
        if match_token(self.user, credential.strip()) is not None:
            return credential
        raise ValidationError(
            _("That is neither your password nor a current code."),
            code="invalid",
        )


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("workspace:my_requests")


def _unverified_holder(request) -> bool:
    """A session that never gave a code, for a user who has an
    authenticator, may not change their two-factor settings."""
    return user_has_device(request.user, confirmed=True) and not (
        request.user.is_verified()
    )


@never_cache
@login_required
def two_factor_manage(request):
    if _unverified_holder(request):
        return redirect_to_login(request.get_full_path())
    enrolled = has_authenticator(request.user)
    backup_left = StaticToken.objects.filter(
        device__user=request.user, device__confirmed=True
    ).count()
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": enrolled,
            "backup_left": backup_left,
            "form": ConfirmIdentityForm(user=request.user),
        },
    )


@never_cache
@login_required
def two_factor_enroll(request):
    if has_authenticator(request.user):
        # Replacing goes through removal, which asks for the password.
        return redirect("accounts:two_factor")
    if _unverified_holder(request):
        return redirect_to_login(request.get_full_path())
    device = totp_enrollment_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrollment_confirm(
                user=request.user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            otp_login(request, device)
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next_url": _next_url(request)},
            )
    return render(
        request,
        "registration/two_factor_enroll.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(
                device, label=_("QR code to scan with your authenticator app")
            ),
            "secret": totp_secret(device),
            "next": request.POST.get("next") or request.GET.get("next") or "",
            "required": enrollment_required(request.user),
        },
    )


@never_cache
@login_required
@require_POST
def two_factor_remove_view(request):
    if _unverified_holder(request):
        return redirect_to_login(reverse("accounts:two_factor"))
    form = ConfirmIdentityForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "registration/two_factor.html",
            {"enrolled": True, "form": form},
            status=400,
        )
    two_factor_remove(user=request.user)
    if enrollment_required(request.user):
        return redirect("accounts:two_factor_enroll")
    messages.success(request, _("Two-factor sign-in is off for your account."))
    return redirect("accounts:two_factor")
