from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from shatil_portal.admin_rows import (
    RowLabelledChangelistMixin,
    RowLabelledForm,
    RowLabelledInlineFormSet,
)

from .models import AdjacentArea, Track, TrackFormat


class TrackFormatInline(TranslationTabularInline):
    model = TrackFormat
    form = RowLabelledForm
    formset = RowLabelledInlineFormSet
    extra = 0
    fields = ["order", "slug", "title", "description"]


@admin.register(Track)
class TrackAdmin(RowLabelledChangelistMixin, TranslationAdmin):
    list_display = [
        "title",
        "order",
        "is_active",
        "is_time_sensitive",
        "involves_several_organizations",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "is_time_sensitive"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [TrackFormatInline]


@admin.register(AdjacentArea)
class AdjacentAreaAdmin(RowLabelledChangelistMixin, TranslationAdmin):
    list_display = ["title", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["title", "slug"]
