"""The checklist in the admin: staff edit the policy tools (in three
languages, like the catalog) and read each request's takings with their
profile; organizations fill them in. Crisis requests' takings only for users
with the crisis permission."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from consultations.admin.scope import CrisisScopedAdmin, ReadOnlyInline, ViewOnlyAdmin
from consultations.models import ChecklistAnswer, ChecklistAssessment, PolicyTool
from consultations.selectors.checklist import checklist_profile
from shatil_portal.admin_rows import RowLabelledChangelistMixin


@admin.register(PolicyTool)
class PolicyToolAdmin(RowLabelledChangelistMixin, TranslationAdmin):
    list_display = ["title", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["advisors"]
    fields = [
        "title",
        "slug",
        "order",
        "description",
        "suggested_step_title",
        "suggested_step_owner",
        "is_active",
        "advisors",
    ]

    def has_delete_permission(self, request, obj=None):
        # A tool that was answered is retired (not active), never deleted.
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


class ChecklistAnswerInline(ReadOnlyInline):
    model = ChecklistAnswer
    fields = ["tool", "level", "relies_on_partners"]


@admin.register(ChecklistAssessment)
class ChecklistAssessmentAdmin(CrisisScopedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    list_display = ["consultation", "sequence", "source", "taken_at"]
    list_select_related = ["consultation"]
    list_filter = ["source"]
    search_fields = ["consultation__reference"]
    fields = ["consultation", "sequence", "source", "taken_at", "profile"]
    readonly_fields = fields
    inlines = [ChecklistAnswerInline]

    @admin.display(description=_("profile of the request"))
    def profile(self, obj):
        return render_to_string(
            "consultations/checklist/profile.html",
            {
                "profile": checklist_profile(consultation=obj.consultation),
                "heading_level": 3,
            },
        )
