"""The form that completes a request with its outcome, for the workspace and
the admin alike. The rule that an outcome is required lives in the service
(`clean_outcome`); the form presents the choices and keeps what was typed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultations.forms.helpers import form_helper
from consultations.models import ConsultationOutcome
from consultations.models.outcomes import OUTCOME_NOTE_LENGTH


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the consultation achieved"),
        choices=ConsultationOutcome.Kind.choices,
        widget=forms.RadioSelect,
        # Required by the service, which gives the one message for it.
        required=False,
    )
    outcome_note = forms.CharField(
        label=_("A short note on the outcome"),
        help_text=_(
            "For Shatil's staff and the dashboard; the organization does not see it."
        ),
        max_length=OUTCOME_NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The request's version as the page showed it (lock_consultation).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str | None = None, **kwargs):
        kwargs.setdefault("prefix", "complete")
        super().__init__(*args, **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Complete the request"))

    def add_service_error(self, error: ValidationError) -> None:
        """Show a refusal of the service beside the field it is about."""
        for item in error.error_list:
            field = item.code if item.code in ("outcome", "outcome_note") else None
            self.add_error(field, item)
