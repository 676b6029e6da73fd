"""Login, logout and password reset for staff and advisors, in the portal's
look and languages (Django's auth views, templates in templates/registration/).

The reset email goes through the outbox like every other email.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views as two_factor_views
from .forms import OutboxPasswordResetForm
from .lockout import UnlockingSetPasswordForm
from .two_factor import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        two_factor_views.SignInView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor_views.two_factor_manage, name="two_factor"),
    path(
        "two-factor/enroll/",
        two_factor_views.two_factor_enroll,
        name="two_factor_enroll",
    ),
    path(
        "two-factor/remove/",
        two_factor_views.two_factor_remove_view,
        name="two_factor_remove",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=UnlockingSetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
