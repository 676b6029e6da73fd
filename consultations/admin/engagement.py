"""The work plan in the admin: staff edit the track templates (in three
languages, like the catalog) and see each request's plan, read-only; the
advisor edits it in the workspace. Crisis requests' plans only for users
with the crisis permission."""

from django.contrib import admin
from modeltranslation.admin import TranslationTabularInline

from consultations.admin.scope import CrisisScopedAdmin, ReadOnlyInline, ViewOnlyAdmin
from consultations.models import (
    PlanEvent,
    PlanStep,
    PlanTemplate,
    PlanTemplateStep,
    PlanTurningPoint,
    Player,
    WorkPlan,
)
from tracks.admin import RowLabelledForm, RowLabelledInlineFormSet


class PlanTemplateStepInline(TranslationTabularInline):
    model = PlanTemplateStep
    # Each input named for screen readers by its column and row.
    form = RowLabelledForm
    formset = RowLabelledInlineFormSet
    extra = 0
    fields = [
        "order",
        "title",
        "description",
        "milestone_title",
        "owner",
        "offset_business_days",
    ]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    list_display = ["track"]
    list_select_related = ["track"]
    inlines = [PlanTemplateStepInline]


class PlanStepInline(ReadOnlyInline):
    model = PlanStep
    fields = ["order", "title", "owner", "due_date", "status", "milestone", "notes"]


class PlanTurningPointInline(ReadOnlyInline):
    model = PlanTurningPoint
    fields = ["date", "note", "actor", "by_organization"]


class PlanEventInline(ReadOnlyInline):
    model = PlanEvent
    fields = ["created_at", "kind", "step_title", "actor", "by_organization", "details"]


class PlayerInline(ReadOnlyInline):
    model = Player
    fields = ["name", "kind", "stance", "influence", "interest", "relationship"]


@admin.register(WorkPlan)
class WorkPlanAdmin(CrisisScopedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    list_display = ["consultation", "started_by", "created_at", "updated_at"]
    list_select_related = ["consultation", "started_by"]
    search_fields = ["consultation__reference"]
    fields = ["consultation", "goal", "started_by", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [PlanStepInline, PlayerInline, PlanTurningPointInline, PlanEventInline]
