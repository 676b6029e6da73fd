"""Admin tables whose inputs are named for screen readers: the editable
rows of a changelist and the rows of a tabular inline, in any app."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext


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
