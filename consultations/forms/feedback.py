"""The organization's feedback form: four short questions, one page."""

from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms.helpers import form_helper
from consultations.models import Feedback

SATISFACTION_CHOICES = [
    (1, _("1: Not at all satisfied")),
    (2, _("2: Slightly satisfied")),
    (3, _("3: Moderately satisfied")),
    (4, _("4: Very satisfied")),
    (5, _("5: Extremely satisfied")),
]
RECOMMEND_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
COMMENT_MAX_LENGTH = 4000


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the consultation?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are, from 1 to 5.")},
    )
    reached_goal = forms.ChoiceField(
        label=_("Did the consultation help you reach your goal?"),
        choices=Feedback.ReachedGoal.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, partly or no.")},
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Would you recommend Shatil's consultation to another organization?"),
        choices=RECOMMEND_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "satisfaction",
            "reached_goal",
            "would_recommend",
            "comment",
            Submit("send", _("Send the feedback"), css_class="btn-primary"),
        )

    def error_summary(self) -> list[dict]:
        """Each error with the id of its control, for the summary at the top."""
        items = []
        for name, field in self.fields.items():
            bound = self[name]
            target = bound.id_for_label or f"{bound.auto_id}_0"
            if isinstance(field.widget, forms.RadioSelect):
                target = f"{bound.auto_id}_0"
            items.extend(
                {"target": target, "label": field.label, "message": error}
                for error in bound.errors
            )
        return items

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "satisfaction": data["satisfaction"],
            "reached_goal": data["reached_goal"],
            "would_recommend": data["would_recommend"],
            "comment": data["comment"],
        }
