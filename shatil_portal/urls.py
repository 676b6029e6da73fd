from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

if settings.ADMIN_REQUIRE_OTP:
    # Staff must confirm each login with a TOTP code (django-otp).
    from django_otp.admin import OTPAdminSite

    admin.site.__class__ = OTPAdminSite

admin.site.site_header = _("Shatil consultation portal: staff")
admin.site.site_title = _("Shatil staff")
admin.site.index_title = _("Requests and catalog")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/web", views.healthz_web, name="healthz_web"),
]

if settings.BENCHMARK_VIEW_ENABLED:
    urlpatterns.append(path("bench/trivial", views.bench_trivial))

if settings.DEMO_MODE:
    # The demo runs with DEBUG, which shows Django's technical pages for
    # errors; these addresses show the portal's own, in any language.
    urlpatterns += i18n_patterns(
        path("__errors__/<str:code>/", views.error_preview, name="error_preview"),
        prefix_default_language=False,
    )

urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL_PATH, admin.site.urls),
    path("workspace/", include("consultations.workspace_urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("consultations.urls")),
    path("", include("tracks.urls")),
    prefix_default_language=False,
)

handler500 = views.server_error
