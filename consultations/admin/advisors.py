"""Advisor profiles: expertise, languages, regions and capacity, with each
advisor's current load (the inputs of the assignment suggestion)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from consultations.forms import AdvisorProfileAdminForm
from consultations.models import AdvisorProfile


@admin.register(AdvisorProfile)
class AdvisorProfileAdmin(admin.ModelAdmin):
    form = AdvisorProfileAdminForm
    list_display = [
        "__str__",
        "email",
        "language_list",
        "region_list",
        "load_and_capacity",
        "is_active",
        "last_assigned_at",
    ]
    list_filter = ["is_active", "tracks"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    readonly_fields = ["last_assigned_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_load()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=gettext_lazy("languages"))
    def language_list(self, obj):
        labels = dict(AdvisorProfileAdminForm.base_fields["languages"].choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.languages)

    @admin.display(description=gettext_lazy("regions"))
    def region_list(self, obj):
        labels = dict(AdvisorProfileAdminForm.base_fields["regions"].choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.regions)

    @admin.display(description=gettext_lazy("load"), ordering="load")
    def load_and_capacity(self, obj):
        return f"{obj.load}/{obj.capacity}"
