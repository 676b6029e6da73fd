"""Forms of the map of the players and of milestone edits (issue 18): the
same player form serves the advisor in the workspace and the organization
on its status link. They present and validate shapes; the services
(services/players.py, services/milestones.py) decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms.engagement import ErrorSummaryMixin
from consultations.forms.helpers import form_helper
from consultations.models import Player
from consultations.models.engagement import TITLE_LENGTH
from consultations.models.players import (
    NAME_LENGTH,
    NOTE_LENGTH,
    RELATIONSHIP_LENGTH,
    SCALE,
)

INFLUENCE_MESSAGE = _("Influence is a number from 1 (little) to 5 (decisive).")
INTEREST_MESSAGE = _("Interest is a number from 1 (little) to 5 (a great deal).")


def _scale(label, help_text, message):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        coerce=int,
        choices=[("", _("Choose…")), *((n, str(n)) for n in SCALE)],
        error_messages={"required": message, "invalid_choice": message},
    )


class PlayerForm(ErrorSummaryMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("A body or a person: the council's education committee, say."),
        max_length=NAME_LENGTH,
        error_messages={"required": _("Give the player a name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Choose…")), *Player.Kind.choices],
        error_messages={
            "required": _("Choose what kind of player it is."),
            "invalid_choice": _("Choose what kind of player it is."),
        },
    )
    stance = forms.ChoiceField(
        label=_("Stance on the goal"),
        choices=Player.Stance.choices,
        initial=Player.Stance.UNKNOWN,
        error_messages={
            "invalid_choice": _("Choose the player's stance on the goal."),
        },
    )
    influence = _scale(
        _("Influence"),
        _("How much it weighs on the decision: 1 little, 5 decisive."),
        INFLUENCE_MESSAGE,
    )
    interest = _scale(
        _("Interest"),
        _("How much attention it pays to the issue: 1 little, 5 a great deal."),
        INTEREST_MESSAGE,
    )
    relationship = forms.CharField(
        label=_("The organization's relationship with it"),
        help_text=_("For example: we met its head last year; no contact yet."),
        max_length=RELATIONSHIP_LENGTH,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str = "", editing=False, **kwargs):
        super().__init__(*args, prefix="player", **kwargs)
        if editing:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )
        self.helper = form_helper(
            action=action,
            submit_label=_("Save the player") if editing else _("Add the player"),
        )


class MilestoneEditForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_LENGTH)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="milestone", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Save the milestone"))


class TargetsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (influence %(influence)s, %(stance)s)") % {
            "name": obj.name,
            "influence": obj.influence,
            "stance": obj.get_stance_display(),
        }


def targets_field(*, plan, players) -> TargetsField:
    """The step form's choice of the map's players the step targets."""
    field = TargetsField(
        label=_("Players it targets"),
        help_text=_("The players of the map that this step aims at."),
        queryset=Player.objects.filter(plan=plan),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field.choices = [(p.pk, field.label_from_instance(p)) for p in players]
    return field
