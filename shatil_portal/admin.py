"""django-otp's admin pages in the staff's language.

The package's admin classes name their columns, filters and sections in
English (its fields have no translated names, and renaming them would ask
for a migration in the package). These subclasses keep the package's
behaviour and name what the admin shows through our catalogs; the models'
own names are set in shatil_portal/third_party_apps.py.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin, StaticTokenInline
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

# The package's field and section names, in our catalogs.
LABELS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
    "key": _("key"),
    "step": _("time step (seconds)"),
    "t0": _("start time (t0)"),
    "digits": _("digits"),
    "tolerance": _("tolerance"),
    "drift": _("drift"),
    "throttling_failure_timestamp": _("last failure"),
    "throttling_failure_count": _("failures in a row"),
    "token": _("backup code"),
}
SECTIONS = {
    "Identity": _("Identity"),
    "Timestamps": _("Timestamps"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling"),
}
COLUMNS = ["device_user", "device_name", "device_created", "device_used", "ready"]


def _titled_filter(field_name: str, base):
    """A list filter on `field_name` titled by LABELS."""

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        self.title = LABELS[field_name]

    return (field_name, type(base.__name__, (base,), {"__init__": __init__}))


class TranslatedDeviceAdmin:
    """Columns, filters, form labels and sections named in our catalogs."""

    list_filter = [
        _titled_filter("created_at", admin.DateFieldListFilter),
        _titled_filter("last_used_at", admin.DateFieldListFilter),
        _titled_filter("confirmed", admin.BooleanFieldListFilter),
    ]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        names = dict(
            zip(
                ["user", "name", "created_at", "last_used_at", "confirmed"],
                COLUMNS,
                strict=True,
            )
        )
        return [names.get(column, column) for column in shown]

    def get_list_display_links(self, request, list_display):
        return ["device_user"]

    @admin.display(description=LABELS["user"], ordering="user")
    def device_user(self, device):
        return device.user

    @admin.display(description=LABELS["name"], ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=LABELS["created_at"], ordering="created_at")
    def device_created(self, device):
        return device.created_at

    @admin.display(description=LABELS["last_used_at"], ordering="last_used_at")
    def device_used(self, device):
        return device.last_used_at

    @admin.display(description=LABELS["confirmed"], boolean=True, ordering="confirmed")
    def ready(self, device):
        return device.confirmed

    def get_fieldsets(self, request, obj=None):
        return [
            (SECTIONS.get(title, title), options)
            for title, options in super().get_fieldsets(request, obj)
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in LABELS:
            formfield.label = LABELS[db_field.name]
        return formfield


class TranslatedStaticTokenInline(StaticTokenInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in LABELS:
            formfield.label = LABELS[db_field.name]
        return formfield


class BackupCodesAdmin(TranslatedDeviceAdmin, StaticDeviceAdmin):
    inlines = [TranslatedStaticTokenInline]


class AuthenticatorAppAdmin(TranslatedDeviceAdmin, TOTPDeviceAdmin):
    @admin.display(description=_("QR code"))
    def qrcode_link(self, device):
        return super().qrcode_link(device)


for model, model_admin in (
    (StaticDevice, BackupCodesAdmin),
    (TOTPDevice, AuthenticatorAppAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
