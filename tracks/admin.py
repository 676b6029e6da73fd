from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import AdjacentArea, Track, TrackFormat


def _name_for_screen_readers(field: forms.Field, row: str) -> None:
    field.widget.attrs["aria-label"] = gettext("%(field)s, %(row)s") % {
        "field": field.label,
        "row": row,
    }


class RowLabelledForm(forms.ModelForm):
    """A table row whose inputs are named for screen readers.

    Editable list rows and tabular inlines show labels only as column
    headers, which axe-core (and assistive technology) does not tie to the
    inputs; each input gets its column's name and its row's name instead.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = str(self.instance) if self.instance.pk else gettext("new row")
        for field in self.fields.values():
            _name_for_screen_readers(field, row)


class RowLabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            row = str(form.instance) if form.instance.pk else gettext("new row")
            _name_for_screen_readers(form.fields["DELETE"], row)


class RowLabelledChangelistMixin:
    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", RowLabelledForm)
        return super().get_changelist_form(request, **kwargs)


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
