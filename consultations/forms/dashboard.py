"""The staff dashboard's filter form (GET): the period in whole months and
the track, region and urgency."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, Region
from consultations.selectors.dashboard import MAX_MONTHS, DashboardFilters

MONTH_FORMAT = "%Y-%m"
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=MONTH_FORMAT)


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=[MONTH_FORMAT],
        widget=MonthInput(),
    )
    end = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=[MONTH_FORMAT],
        widget=MonthInput(),
    )
    track = forms.TypedChoiceField(
        label=_("Track"), required=False, coerce=int, empty_value=None
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)

    def __init__(self, data=None, *, tracks, **kwargs):
        super().__init__(data, **kwargs)
        everything = [("", _("All"))]
        self.fields["track"].choices = everything + [
            (track.pk, track.title) for track in tracks
        ]
        self.fields["region"].choices = everything + Region.choices
        self.fields["urgency"].choices = everything + Consultation.Urgency.choices
        for name, field in self.fields.items():
            css = "form-select" if name in ("track", "region", "urgency") else ""
            field.widget.attrs["class"] = css or "form-control"
        default = DashboardFilters.default()
        self.initial.setdefault("start", default.start)
        self.initial.setdefault("end", default.end)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        default = DashboardFilters.default()
        start = (start or default.start).replace(day=1)
        end = (end or default.end).replace(day=1)
        if not (FIRST_YEAR <= start.year and end.year <= LAST_YEAR):
            raise forms.ValidationError(
                _("Choose months between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        if start > end:
            raise forms.ValidationError(
                _("The period must start before it ends."), code="order"
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > MAX_MONTHS:
            raise forms.ValidationError(
                _("Choose a period of at most %(months)s months."),
                code="too_long",
                params={"months": MAX_MONTHS},
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> DashboardFilters:
        """The filters asked for; the defaults when nothing was asked for or
        the form is invalid."""
        if not self.is_bound or not self.is_valid():
            self._mark_invalid_fields()
            return DashboardFilters.default()
        data = self.cleaned_data
        return DashboardFilters(
            start=data["start"],
            end=data["end"],
            track_id=data["track"],
            region=data["region"],
            urgency=data["urgency"],
        )

    def _mark_invalid_fields(self) -> None:
        """Tie each field's error to its input for screen readers."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {
                        "aria-invalid": "true",
                        "aria-describedby": f"{self[name].auto_id}_error",
                    }
                )
