"""The organization's forms: the request, its coalition members, a message
from the status page, withdrawal and the lost-link form.

Forms validate and present; the views hand `cleaned_data` to the services.
Every text field has a maximum length, so no input can reach the database
in a shape it refuses.
"""

import copy
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from consultations.forms.attachments import (
    AttachmentsField,
    attachments_help_text,
    note_files_not_kept,
)
from consultations.forms.checklist import ChecklistForm
from consultations.forms.helpers import form_helper
from consultations.models import Consultation, Language, Organization, Region
from consultations.models.checklist import CHECKLIST_TRACK_SLUG
from consultations.selectors.requester import RequestFormCatalog, request_form_catalog
from consultations.services.intake import (
    CoalitionMemberDetails,
    ContactDetails,
    OrganizationDetails,
)
from consultations.validators import (
    normalize_registration_number,
    validate_phone_number,
    validate_registration_number,
    validate_registration_number_for_kind,
)
from tracks.models import Track

LONG_TEXT = 4000
MEDIUM_TEXT = 2000
MAX_COALITION_MEMBERS = 20
# The honeypot's name: attractive to bots, hidden from people and assistive
# technology, and labelled "leave empty" for anyone who still meets it.
HONEYPOT_FIELD = "homepage"
# Contact methods that need a phone number.
PHONE_METHODS = {
    Consultation.ContactMethod.PHONE,
    Consultation.ContactMethod.WHATSAPP,
}

# Shorter names, in the error summary, for fields whose label is a sentence.
SUMMARY_LABELS = {
    "goal": _("Goal"),
    "background": _("Background"),
    "timing": _("Timing"),
    "consent": _("Consent"),
}


def require_phone_for_method(form: forms.Form, cleaned: dict) -> None:
    """A phone call or WhatsApp needs a phone number: the request form's
    rule, and the correction form's."""
    method = cleaned.get("preferred_contact_method")
    if method in PHONE_METHODS and not cleaned.get("contact_phone"):
        if "contact_phone" not in form.errors:
            form.add_error(
                "contact_phone",
                _("Give a phone number so that we can reach you that way."),
            )


def _blank(label):
    return [("", label)]


def contact_layout() -> tuple:
    """The contact person's fields as the request form lays them out; the
    correction form on the status page shows them the same way."""
    return (
        Div(
            Div(Field("contact_name", autocomplete="name"), css_class="col-md-6"),
            Div(
                Field("contact_role", autocomplete="organization-title"),
                css_class="col-md-6",
            ),
            css_class="row",
        ),
        Div(
            Div("contact_email", css_class="col-md-6"),
            Div(
                Field("contact_phone", autocomplete="tel", dir="ltr"),
                css_class="col-md-6",
            ),
            css_class="row",
        ),
        "preferred_language",
        "preferred_contact_method",
        "preferred_contact_times",
    )


class IsraeliPhoneNumberField(PhoneNumberField):
    """Read as Israelis write numbers (region IL), stored in E.164."""

    default_validators = [validate_phone_number]


class CoalitionMemberForm(forms.Form):
    # Not marked required: empty rows are fine, a row with an email needs
    # its name (clean).
    name = forms.CharField(label=_("Organization name"), max_length=200, required=False)
    contact_email = forms.EmailField(
        label=_("Contact email"), max_length=254, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_email") and not cleaned.get("name"):
            self.add_error("name", _("Give the name of this member organization."))
        return cleaned


class BaseCoalitionMemberFormSet(forms.BaseFormSet):
    """The coalition's member organizations; at least one is required when
    the track involves several organizations (`require_members`)."""

    require_members = False

    def clean(self):
        if any(self.errors):
            return
        if self.require_members and not self.members():
            raise ValidationError(
                _("List at least one member organization of the coalition."),
                code="too_few_forms",
            )

    def members(self) -> list[CoalitionMemberDetails]:
        return [
            CoalitionMemberDetails(
                name=form.cleaned_data["name"],
                contact_email=form.cleaned_data.get("contact_email", ""),
            )
            for form in self.forms
            if form.has_changed() and form.cleaned_data.get("name")
        ]


CoalitionMemberFormSet = forms.formset_factory(
    CoalitionMemberForm,
    formset=BaseCoalitionMemberFormSet,
    extra=3,
    max_num=MAX_COALITION_MEMBERS,
    absolute_max=MAX_COALITION_MEMBERS,
    validate_max=True,
)


class ConsultationRequestForm(forms.Form):
    """The one-page request form: organization, contact person, the request
    and consent, with the coalition members as a formset inside it."""

    # Organization
    organization_name = forms.CharField(
        label=_("Name of the organization or initiative"), max_length=200
    )
    organization_kind = forms.ChoiceField(
        label=_("Kind of organization"),
        choices=_blank(_("Choose the kind")) + Organization.Kind.choices,
    )
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=20,
        required=False,
        help_text=_(
            "Nine digits. Registered nonprofits (starting with 58) and "
            "public-benefit companies (starting with 51 or 52) must give it."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=_blank(_("Choose a region")) + Region.choices
    )
    locality = forms.CharField(label=_("Locality"), max_length=120, required=False)
    website = forms.URLField(
        label=_("Website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    staff_size = forms.ChoiceField(
        label=_("Paid staff"),
        required=False,
        choices=_blank(_("Choose a range")) + Organization.Size.choices,
    )
    volunteer_size = forms.ChoiceField(
        label=_("Volunteers"),
        required=False,
        choices=_blank(_("Choose a range")) + Organization.Size.choices,
    )
    population_served = forms.CharField(
        label=_("The population the organization serves"),
        max_length=MEDIUM_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # Contact person
    contact_name = forms.CharField(label=_("Full name"), max_length=150)
    contact_role = forms.CharField(
        label=_("Role in the organization"), max_length=150, required=False
    )
    contact_email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )
    contact_phone = IsraeliPhoneNumberField(
        label=_("Phone"),
        region="IL",
        max_length=30,
        required=False,
        help_text=_("For example 050-123-4567, or +972 50 123 4567."),
        error_messages={
            "invalid": _(
                "Enter a valid phone number, such as 050-123-4567 or 02-623-4567, "
                "or a number with its country code, such as +972 50 123 4567."
            )
        },
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language for correspondence"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )
    preferred_contact_method = forms.ChoiceField(
        label=_("Preferred way to reach you"),
        choices=Consultation.ContactMethod.choices,
        initial=Consultation.ContactMethod.EMAIL,
        widget=forms.RadioSelect,
    )
    preferred_contact_times = forms.CharField(
        label=_("Good times to reach you"),
        max_length=200,
        required=False,
        help_text=_("For example: Sunday to Thursday, mornings."),
    )

    # The request
    track = forms.ChoiceField(label=_("Consulting track"))
    track_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        help_text=_("Only for tracks offered in several formats."),
    )
    adjacent_areas = forms.MultipleChoiceField(
        label=_("Adjacent areas you would also like advice on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goal = forms.CharField(
        label=_("What do you want to achieve?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    background = forms.CharField(
        label=_("Background, and what you have tried so far"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    timing = forms.CharField(
        label=_("Deadlines or events that drive the timing"),
        max_length=MEDIUM_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Consultation.Urgency.choices,
        initial=Consultation.Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Requests on the crisis track are always urgent."),
    )

    # Consent
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that these details are "
            "used to handle the request."
        ),
        error_messages={
            "required": _("Your consent is needed before we can handle the request.")
        },
    )

    attachments = AttachmentsField()

    # A one-time key: a repeated post of the same form creates nothing.
    submission_key = forms.CharField(
        max_length=36, required=False, widget=forms.HiddenInput
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(
        self,
        data=None,
        *,
        catalog: RequestFormCatalog | None = None,
        initial_track: str = "",
        **kwargs,
    ):
        initial = {
            "submission_key": uuid.uuid4(),
            "preferred_language": _current_language(),
            "track": initial_track,
            **kwargs.pop("initial", {}),
        }
        super().__init__(data, initial=initial, **kwargs)
        self.catalog = catalog or request_form_catalog()
        self.tracks = {track.slug: track for track in self.catalog.tracks}
        self.formats = {
            str(track_format.pk): track_format
            for track in self.catalog.tracks
            for track_format in track.formats.all()
        }
        self.areas = {area.slug: area for area in self.catalog.adjacent_areas}

        self.fields["track"].choices = _blank(_("Choose a track")) + [
            (track.slug, track.title) for track in self.catalog.tracks
        ]
        self.fields["track_format"].choices = _blank(_("Not sure yet")) + [
            (
                track.title,
                [(str(item.pk), item.title) for item in track.formats.all()],
            )
            for track in self.catalog.tracks
            if track.formats.all()
        ]
        self.fields["adjacent_areas"].choices = [
            (area.slug, area.title) for area in self.catalog.adjacent_areas
        ]
        self.coalition_members = CoalitionMemberFormSet(data, prefix="members")
        # Whether the checklist's section takes the posted answers: only on
        # its own track, as validation decides.
        self._checklist_posted = self.is_bound
        self.fields["attachments"].help_text = attachments_help_text()

    @cached_property
    def checklist(self) -> ChecklistForm:
        """The checklist's optional section (professional development only),
        built only when it is drawn or validated: its 36 fields are a fifth
        of a post's CPU, and a valid post on any other track needs none."""
        return ChecklistForm(
            self.data if self._checklist_posted else None,
            tools=list(self.catalog.policy_tools),
            optional=True,
        )

    # Presentation

    @cached_property
    def helper(self) -> FormHelper:
        """crispy's layout, built only when the form is drawn: a valid post
        never is."""
        return form_helper(
            Fieldset(
                _("Organization"),
                "organization_name",
                "organization_kind",
                "registration_number",
                Div(
                    Div("region", css_class="col-md-6"),
                    Div("locality", css_class="col-md-6"),
                    css_class="row",
                ),
                "website",
                Div(
                    Div("staff_size", css_class="col-md-6"),
                    Div("volunteer_size", css_class="col-md-6"),
                    css_class="row",
                ),
                "population_served",
            ),
            Fieldset(_("Contact person"), *contact_layout()),
            Fieldset(
                _("The request"),
                "track",
                "track_format",
                HTML("{% include 'consultations/includes/coalition_members.html' %}"),
                "adjacent_areas",
                "goal",
                "background",
                "timing",
                "urgency",
                "attachments",
                HTML(
                    "{% include 'consultations/checklist/request_form_section.html' "
                    "with form=form.checklist %}"
                ),
            ),
            Fieldset(
                _("Consent"),
                HTML("{% include 'consultations/includes/privacy_notice.html' %}"),
                "consent",
            ),
            # The one-time `submission_key` is written by the page itself,
            # outside this layout: what the layout renders for an unbound
            # form is then the same for every visitor and can be cached.
            Div(
                "homepage",
                css_class="visually-hidden",
                aria_hidden="true",
            ),
            Submit("submit", _("Send the request"), css_class="btn-lg"),
        )

    def track_flags(self) -> dict:
        """What the form's script needs to know of each track."""
        return {
            track.slug: {
                "formats": bool(track.formats.all()),
                "coalition": track.involves_several_organizations,
                "crisis": track.is_time_sensitive,
                "checklist": track.slug == CHECKLIST_TRACK_SLUG,
            }
            for track in self.catalog.tracks
        }

    def error_summary(self) -> list[dict]:
        """Each error with the id of the control it belongs to, in the order
        of the page, for the summary at the top."""
        items = [
            {"target": "request-form", "message": error}
            for error in self.non_field_errors()
        ]
        for name, field in self.fields.items():
            if name in self.errors and not field.widget.is_hidden:
                bound = self[name]
                # Radio buttons and checkboxes: the first option.
                target = bound.id_for_label or f"{bound.auto_id}_0"
                label = SUMMARY_LABELS.get(name, field.label)
                items.extend(
                    {"target": target, "label": label, "message": error}
                    for error in bound.errors
                )
            if name == "track_format":
                # The member rows come right after the format on the page.
                items.extend(self._coalition_error_summary())
            if name == "attachments" and self.checklist.is_bound:
                # The checklist's section comes right after the files.
                items.extend(self.checklist.error_summary())
        return items

    def _coalition_error_summary(self) -> list[dict]:
        members = self.coalition_members
        if not members.is_bound or not members.require_members:
            return []
        items = [
            {"target": "coalition-members", "message": error}
            for error in members.non_form_errors()
        ]
        for number, form in enumerate(members.forms, start=1):
            for name, field in form.fields.items():
                items.extend(
                    {
                        "target": form[name].id_for_label,
                        "label": _("Member %(number)s: %(field)s")
                        % {"number": number, "field": field.label},
                        "message": error,
                    }
                    for error in form[name].errors
                )
        return items

    # Validation

    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean_submission_key(self) -> uuid.UUID:
        """A missing or tampered key gets a fresh one rather than an error
        the requester could neither see nor fix."""
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return uuid.uuid4()

    def clean_registration_number(self) -> str:
        return normalize_registration_number(self.cleaned_data["registration_number"])

    def clean_track(self):
        track = self.tracks.get(self.cleaned_data["track"])
        if track is None:
            raise ValidationError(_("Choose one of the consulting tracks."))
        return track

    def clean_track_format(self):
        value = self.cleaned_data["track_format"]
        return self.formats.get(value) if value else None

    def clean_adjacent_areas(self) -> list:
        return [self.areas[slug] for slug in self.cleaned_data["adjacent_areas"]]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("organization_kind")
        number = cleaned.get("registration_number")
        if number is not None and "registration_number" not in self.errors:
            try:
                if kind:
                    validate_registration_number_for_kind(number=number, kind=kind)
                elif number:
                    # The number's own rules, even before the kind is chosen.
                    validate_registration_number(number)
            except ValidationError as error:
                self.add_error("registration_number", error)

        require_phone_for_method(self, cleaned)

        track = cleaned.get("track")
        track_format = cleaned.get("track_format")
        if track is not None and track_format is not None:
            if track_format.track_id != track.pk:
                self.add_error(
                    "track_format",
                    _("This format does not belong to the chosen track."),
                )
        if track is not None and track.is_time_sensitive:
            cleaned["urgency"] = Consultation.Urgency.URGENT
        return cleaned

    def is_valid(self) -> bool:
        valid = self._is_valid()
        if not valid:
            note_files_not_kept(self)
        return valid

    def _is_valid(self) -> bool:
        form_valid = super().is_valid()
        track = self.cleaned_data.get("track")
        if isinstance(track, Track) and track.slug == CHECKLIST_TRACK_SLUG:
            form_valid = self.checklist.is_valid() and form_valid
        else:
            # As with the member rows: on any other track the section is
            # hidden by the script and dropped, not validated.
            self._checklist_posted = False
            self.__dict__.pop("checklist", None)
        if not isinstance(track, Track) or not track.involves_several_organizations:
            # Member rows matter only on a coalition track; on any other the
            # rows (hidden by the page's script) are dropped, not validated.
            self.coalition_members = CoalitionMemberFormSet(prefix="members")
            return form_valid
        self.coalition_members.require_members = True
        members_valid = self.coalition_members.is_valid()
        return form_valid and members_valid

    def service_arguments(self) -> dict:
        """The cleaned data as `consultation_submit` takes it."""
        data = self.cleaned_data
        track = data["track"]
        members = (
            self.coalition_members.members()
            if track.involves_several_organizations
            else []
        )
        return {
            "submission_key": data["submission_key"],
            "organization": OrganizationDetails(
                name=data["organization_name"],
                kind=data["organization_kind"],
                registration_number=data["registration_number"],
                region=data["region"],
                locality=data["locality"],
                website=data["website"],
                staff_size=data["staff_size"],
                volunteer_size=data["volunteer_size"],
                population_served=data["population_served"],
            ),
            "contact": ContactDetails(
                name=data["contact_name"],
                role=data["contact_role"],
                email=data["contact_email"],
                phone=data["contact_phone"],
                preferred_language=data["preferred_language"],
                preferred_contact_method=data["preferred_contact_method"],
                preferred_contact_times=data["preferred_contact_times"],
            ),
            "track": track,
            "track_format": data["track_format"],
            "adjacent_areas": data["adjacent_areas"],
            "goal": data["goal"],
            "background": data["background"],
            "timing": data["timing"],
            "urgency": data["urgency"],
            "coalition_members": members,
            "consent": data["consent"],
            "checklist_answers": (
                self.checklist.answers() if self._checklist_posted else []
            ),
        }


def _current_language() -> str:
    language = (get_language() or "he")[:2]
    return language if language in Language.values else Language.HEBREW


class StatusMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "To correct a detail of the request other than your contact "
            "details, write here what should change."
        ),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help_text()
        self.helper = form_helper(
            "body",
            "attachments",
            Submit("send", _("Send the message"), css_class="btn-primary"),
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if not valid:
            note_files_not_kept(self)
        return valid


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing the request? (optional)"),
        max_length=MEDIUM_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, I want to withdraw this request."),
        error_messages={
            "required": _("Tick the box to confirm that you want to withdraw.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "reason",
            "confirm",
            Submit("withdraw", _("Withdraw the request"), css_class="btn-danger"),
        )


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("The email address given in the request"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )
    reference = forms.CharField(
        label=_("The request's reference"),
        max_length=30,
        help_text=_("It looks like SH-2026-00042, and appears in our emails."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "email",
            "reference",
            Submit("send", _("Email me a new link"), css_class="btn-primary"),
        )


# The request form's contact fields, which the status page lets the
# organization correct.
CONTACT_FIELDS = (
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "preferred_language",
    "preferred_contact_method",
    "preferred_contact_times",
)


class ContactCorrectionForm(forms.Form):
    """The contact details, corrected from the status page: the request
    form's own fields (the same labels, validators and messages, taken from
    ConsultationRequestForm, not copied) and its phone rule."""

    def __init__(self, *args, consultation: Consultation, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "contact_name": consultation.contact_name,
                "contact_role": consultation.contact_role,
                "contact_email": consultation.contact_email,
                "contact_phone": consultation.contact_phone.as_national
                if consultation.contact_phone
                else "",
                "preferred_language": consultation.preferred_language,
                "preferred_contact_method": consultation.preferred_contact_method,
                "preferred_contact_times": consultation.preferred_contact_times,
            },
        )
        super().__init__(*args, **kwargs)
        for name in CONTACT_FIELDS:
            self.fields[name] = copy.deepcopy(ConsultationRequestForm.base_fields[name])
        self.helper = form_helper(
            *contact_layout(),
            Submit("save", _("Save the corrected details"), css_class="btn-primary"),
        )

    def clean(self):
        cleaned = super().clean()
        require_phone_for_method(self, cleaned)
        return cleaned

    def contact(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            name=data["contact_name"],
            role=data["contact_role"],
            email=data["contact_email"],
            phone=data["contact_phone"],
            preferred_language=data["preferred_language"],
            preferred_contact_method=data["preferred_contact_method"],
            preferred_contact_times=data["preferred_contact_times"],
        )


class DeletionRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I ask that the personal details of this request be deleted."),
        error_messages={
            "required": _("Tick the box to confirm that you ask for deletion.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "confirm",
            Submit("delete", _("Ask for deletion"), css_class="btn-danger"),
        )
