"""The checklist of policy tools as a form: per tool, a level on the
four-point scale or "don't know", and whether the organization relies on
partners for it. The same form serves the status page (every tool
answered) and the request form's optional section (all or nothing).

The form checks shapes; `checklist_take` (services/checklist.py) decides.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultations.models import PolicyTool, ToolLevel
from consultations.services.checklist import ToolAnswer

DONT_KNOW = "unknown"
LEVEL_FIELD = re.compile(r"^(?:checklist-)?level-(\d+)$")
MISSING = _("Answer this tool, or choose “don't know”.")


def level_choices() -> list[tuple[str, str]]:
    return [(str(value), label) for value, label in ToolLevel.choices] + [
        (DONT_KNOW, _("Don't know"))
    ]


class ChecklistForm(forms.Form):
    def __init__(
        self, data=None, *, tools: list[PolicyTool], optional: bool = False, **kwargs
    ):
        super().__init__(data, prefix="checklist", **kwargs)
        self.tools = tools
        self.optional = optional
        choices = level_choices()
        for tool in tools:
            self.fields[f"level-{tool.pk}"] = forms.ChoiceField(
                label=tool.title,
                choices=choices,
                widget=forms.RadioSelect,
                required=not optional,
                error_messages={
                    "required": MISSING,
                    "invalid_choice": _("Choose one of the levels for each tool."),
                },
            )
            self.fields[f"partners-{tool.pk}"] = forms.BooleanField(
                label=_("We rely on partners for this"), required=False
            )

    def rows(self):
        """(tool, level field, partners field), for the template."""
        return [
            (tool, self[f"level-{tool.pk}"], self[f"partners-{tool.pk}"])
            for tool in self.tools
        ]

    @property
    def started(self) -> bool:
        """Whether any level was given (the optional section counts only then)."""
        return self.is_bound and any(
            self.data.get(self.add_prefix(f"level-{tool.pk}")) for tool in self.tools
        )

    def full_clean(self):
        if self.optional and self.is_bound and self.started:
            # Once begun, the section is answered whole.
            for tool in self.tools:
                self.fields[f"level-{tool.pk}"].required = True
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        known = {str(tool.pk) for tool in self.tools}
        for key in self.data:
            match = LEVEL_FIELD.match(key)
            if match and key.startswith(self.prefix) and match[1] not in known:
                raise ValidationError(
                    _(
                        "The list of tools has changed since the page was "
                        "loaded. Check your answers and send them again."
                    ),
                    code="tools",
                )
        return cleaned

    def answers(self) -> list[ToolAnswer]:
        """The answers as the service takes them; none for an optional
        section left empty."""
        if self.optional and not self.started:
            return []
        answers = []
        for tool in self.tools:
            value = self.cleaned_data[f"level-{tool.pk}"]
            answers.append(
                ToolAnswer(
                    tool_id=tool.pk,
                    level=None if value == DONT_KNOW else int(value),
                    relies_on_partners=self.cleaned_data[f"partners-{tool.pk}"],
                )
            )
        return answers

    def error_summary(self) -> list[dict]:
        items = [
            {"target": "checklist", "label": "", "message": error}
            for error in self.non_field_errors()
        ]
        for tool in self.tools:
            bound = self[f"level-{tool.pk}"]
            items.extend(
                {"target": f"{bound.auto_id}_0", "label": tool.title, "message": e}
                for e in bound.errors
            )
        return items
