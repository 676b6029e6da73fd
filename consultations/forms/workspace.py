"""Forms of the advisors' workspace.

They validate and present; the views hand `cleaned_data` to the services.
"""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.business_time import ISRAEL_TZ
from consultations.forms.attachments import (
    AttachmentsField,
    attachments_help_text,
    note_files_not_kept,
)
from consultations.forms.helpers import form_helper
from consultations.models import (
    AdvisorProfile,
    Language,
    Meeting,
    Region,
)
from consultations.services.workspace import MAX_BODY_LENGTH

MEETING_DATE_RANGE_DAYS = 2 * 366
DURATION_CHOICES = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1.5 hours")),
    (120, _("2 hours")),
]


class InternalNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Seen by staff and the advisor only, never by the organization."),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="note", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Add the note"))


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the organization"),
        help_text=_(
            "Emailed to the contact person and shown on their status page. "
            "Their replies reach you."
        ),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="message", **kwargs)
        self.fields["attachments"].help_text = attachments_help_text()
        self.helper = form_helper(action=action, submit_label=_("Send the message"))

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if not valid:
            note_files_not_kept(self)
        return valid


class MeetingTimeForm(forms.Form):
    """Date and time in Israel, as people say them, and the duration."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=_("Time (Israel)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATION_CHOICES, coerce=int, initial=60
    )
    location_or_link = forms.CharField(
        label=_("Place or link"),
        help_text=_("An address for a meeting in person, a video link for one online."),
        max_length=500,
    )

    def clean_date(self):
        """A typo in the year must not reach a calendar (or overflow one)."""
        date = self.cleaned_data["date"]
        today = timezone.localdate()
        if abs((date - today).days) > MEETING_DATE_RANGE_DAYS:
            raise forms.ValidationError(
                _("Choose a date within two years of today."), code="out_of_range"
            )
        return date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            cleaned["starts_at"] = datetime.combine(
                cleaned["date"], cleaned["time"], tzinfo=ISRAEL_TZ
            )
        if cleaned.get("duration_minutes"):
            cleaned["duration"] = timedelta(minutes=cleaned["duration_minutes"])
        return cleaned


class MeetingForm(MeetingTimeForm):
    mode = forms.ChoiceField(
        label=_("How"),
        choices=Meeting.Mode.choices,
        widget=forms.RadioSelect,
        initial=Meeting.Mode.ONLINE,
    )
    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("Agenda, or what was agreed. Internal: not sent."),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["date", "time", "duration_minutes", "mode", "location_or_link"]

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="meeting", **kwargs)
        self.helper = form_helper(action=action, submit_label=_("Log the meeting"))


class MeetingRescheduleForm(MeetingTimeForm):
    def __init__(self, *args, action: str = "", meeting: Meeting, **kwargs):
        local = meeting.starts_at.astimezone(ISRAEL_TZ)
        kwargs.setdefault(
            "initial",
            {
                "date": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": int(meeting.duration.total_seconds() // 60),
                "location_or_link": meeting.location_or_link,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            action=action, submit_label=_("Send the updated invitation")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned["starts_at"] <= timezone.now():
            self.add_error("date", _("Choose a time in the future."))
        return cleaned


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Why the request is declined"),
        help_text=_("The organization receives this note by email, in their language."),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The request's version as the page showed it (lock_consultation).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="decline", **kwargs)
        self.helper = form_helper(
            action=action,
            submit_label=_("Decline the request"),
            submit_class="btn-danger",
        )


class WaitForm(forms.Form):
    """Moving to "waiting for the organization" says what for."""

    note = forms.CharField(
        label=_("What you are waiting for from the organization"),
        help_text=_(
            "The organization receives this note by email, in their language, "
            "and sees it on their status page."
        ),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The request's version as the page showed it (lock_consultation).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, prefix="wait", **kwargs)
        self.helper = form_helper(
            action=action, submit_label=_("Wait for the organization")
        )


class AdvisorProfileAdminForm(forms.ModelForm):
    """Tracks, languages and regions as check boxes: a dozen choices each,
    all in sight (Django's filter_horizontal widget fails axe-core's
    aria-prohibited-attr rule)."""

    languages = forms.TypedMultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.TypedMultipleChoiceField(
        label=_("Regions covered"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("An advisor who covers “Nationwide” matches every region."),
    )

    class Meta:
        model = AdvisorProfile
        fields = [
            "user",
            "tracks",
            "languages",
            "preferred_language",
            "regions",
            "capacity",
            "is_active",
        ]
        widgets = {"tracks": forms.CheckboxSelectMultiple}
