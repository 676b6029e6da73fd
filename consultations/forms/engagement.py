"""Forms of the work plan (issue 18): the advisor's, in the workspace, and
the organization's, on its status page. They present and validate shapes;
the services (services/engagement.py) decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms.helpers import form_helper
from consultations.models import PlanStep, StepOwner
from consultations.models.engagement import GOAL_LENGTH, NOTES_LENGTH, TITLE_LENGTH
from consultations.services.engagement import israel_today

OWNER_REQUIRED = _("Say who owns the step: the organization or the advisor.")


class ErrorSummaryMixin:
    def error_summary(self) -> list[dict]:
        """Each error with the id of its control, for the summary at the top;
        an error of the whole form points at its first field."""
        items = []
        first = next(iter(self.fields), None)
        for error in self.non_field_errors():
            items.append(
                {"target": self[first].id_for_label, "label": "", "message": error}
            )
        for name, field in self.fields.items():
            bound = self[name]
            if field.widget.is_hidden:
                items.extend(
                    {"target": self[first].id_for_label, "label": "", "message": e}
                    for e in bound.errors
                )
                continue
            items.extend(
                {"target": bound.id_for_label, "label": field.label, "message": e}
                for e in bound.errors
            )
        return items


def _date_widget():
    return forms.DateInput(
        attrs={"type": "date", "min": israel_today().isoformat()}, format="%Y-%m-%d"
    )


class PlanGoalForm(ErrorSummaryMixin, forms.Form):
    goal = forms.CharField(
        label=_("The plan's goal"),
        help_text=_("What the organization wants to achieve, in a sentence or two."),
        max_length=GOAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="goal", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Save the goal"))


class PlanStepForm(ErrorSummaryMixin, forms.Form):
    """A new step; with `editing`, also its status and the version shown."""

    title = forms.CharField(label=_("Step"), max_length=TITLE_LENGTH)
    owner = forms.ChoiceField(
        label=_("Owner"),
        choices=[("", _("Choose…")), *StepOwner.choices],
        error_messages={"required": OWNER_REQUIRED},
    )
    due_date = forms.DateField(label=_("Due date"))
    milestone = forms.ModelChoiceField(
        label=_("Milestone"),
        queryset=None,
        required=False,
        empty_label=_("No milestone"),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, plan, action: str = "", editing=False, targets=None, **kwargs
    ):
        super().__init__(*args, prefix="step", **kwargs)
        self.fields["due_date"].widget = _date_widget()
        # The plan's milestones were prefetched by the selector.
        self.fields["milestone"].queryset = plan.milestones.all()
        self.fields["milestone"].choices = [
            ("", _("No milestone")),
            *((m.pk, m.title) for m in plan.milestones.all()),
        ]
        if editing:
            # An edit keeps a date that has already passed.
            self.fields["due_date"].widget.attrs.pop("min", None)
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=PlanStep.Status.choices
            )
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )
        if targets is not None:
            # The map's players (issue 18), a field built by forms/players.py.
            self.fields["targets"] = targets
        self.helper = form_helper(
            action=action,
            submit_label=_("Save the step") if editing else _("Add the step"),
        )


class MilestoneForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_LENGTH)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="milestone", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Add the milestone"))


class TurningPointForm(ErrorSummaryMixin, forms.Form):
    on = forms.DateField(
        label=_("When"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("What happened"),
        help_text=_("For example: the committee postponed the vote."),
        max_length=NOTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="turning", **kwargs)
        self.helper = form_helper(
            action=action, submit_label=_("Add the turning point")
        )


class StepNoteForm(ErrorSummaryMixin, forms.Form):
    """The organization's note on a step (one form per step on the page)."""

    note = forms.CharField(
        label=_("Add a note"),
        max_length=NOTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step, action: str = "", **kwargs):
        super().__init__(*args, prefix=f"note-{step.pk}", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Add the note"))
