"""The access log in the admin: its own read-only list, and the latest
entries on each request's page.

Imported at the end of admin.py. Nobody can add, change or delete an entry
here, superusers included; entries about crisis requests are shown only to
users who may see those requests.
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy

from consultations.admin.scope import CrisisScopedAdmin, ReadOnlyInline, ViewOnlyAdmin
from consultations.models import AccessLogEntry

# How many entries the request page shows; the list has them all.
INLINE_ENTRIES = 50


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(CrisisScopedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "username", "action", "reference", "organization"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["reference", "username"]
    search_help_text = gettext_lazy("Search by request reference or username.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "created_at",
        "username",
        "user",
        "action",
        "consultation",
        "reference",
        "organization",
    ]
    readonly_fields = fields


class LatestEntriesFormSet(BaseInlineFormSet):
    def get_queryset(self):
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[:INLINE_ENTRIES]
        return self._latest


class AccessLogInline(ReadOnlyInline):
    model = AccessLogEntry
    formset = LatestEntriesFormSet
    fields = ["created_at", "username", "action"]
    verbose_name_plural = gettext_lazy("access log (latest entries)")
