"""Staff's decision on a received email in the admin: attach it to a
request (by its reference) or discard it. The request must be one the
staff member may see (the crisis rule, consultations/permissions.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, InboundMail


class InboundMailDecisionForm(forms.ModelForm):
    ATTACH = "attach"
    DISCARD = "discard"
    SEEN = "seen"

    decision = forms.ChoiceField(
        label=_("What to do with it"),
        choices=[
            ("", _("Nothing for now")),
            (ATTACH, _("Attach it to a request")),
            (DISCARD, _("Discard it")),
            (SEEN, _("Mark a reply to a closed request as seen")),
        ],
        required=False,
    )
    reference = forms.CharField(
        label=_("Request reference"),
        help_text=_("To attach it: the request's reference, such as SH-2026-00012."),
        max_length=30,
        required=False,
    )

    class Meta:
        model = InboundMail
        fields: list[str] = []

    # Set by the admin for each request: whose requests may be chosen.
    user = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.ATTACH:
            reference = "".join((cleaned.get("reference") or "").split()).upper()
            consultation = None
            if reference and self.user is not None:
                consultation = (
                    Consultation.objects.visible_to(self.user)
                    .filter(reference=reference)
                    .first()
                )
            if consultation is None:
                self.add_error(
                    "reference", _("No request that you may see has this reference.")
                )
            cleaned["consultation"] = consultation
        return cleaned
