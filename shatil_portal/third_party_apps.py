"""The third-party apps under names staff read in their own language.

INSTALLED_APPS names these configurations instead of the bare packages; each
keeps its package's own behaviour and changes only the name the admin shows.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in protection")


class PeriodicTasksConfig(BeatConfig):
    verbose_name = _("Scheduled tasks")


def _name_models(config, names: dict) -> None:
    """Give a package's models translated names in the admin.

    Only the running model's options change: the migration autodetector
    reads a model's Meta as its class declared it (`_meta.original_attrs`),
    so no migration is asked for in the package (a test runs
    makemigrations --check). The columns are named in shatil_portal/admin.py.
    """
    for model_name, (singular, plural) in names.items():
        options = config.get_model(model_name)._meta
        options.verbose_name = singular
        options.verbose_name_plural = plural


class BackupCodesConfig(StaticConfig):
    verbose_name = _("Two-factor backup codes")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "StaticDevice": (_("backup code list"), _("backup code lists")),
                "StaticToken": (_("backup code"), _("backup codes")),
            },
        )


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = _("Two-factor authenticator apps")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {"TOTPDevice": (_("authenticator app"), _("authenticator apps"))},
        )


# The packages' model names, as their own code marks them for translation.
# Neither package ships Hebrew, so their msgids are listed here for
# makemessages and translated in our catalogs (Django searches every catalog).
THIRD_PARTY_MODEL_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("clocked"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
)
