"""Consultation requests, the organizations that make them, and their history.

State changes happen only in services (services/); these models hold data,
constraints and values derived from their own fields.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from consultations.permissions import visible_consultations
from tracks.models import TimeStampedModel


class Language(models.TextChoices):
    HEBREW = "he", _("Hebrew")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class Region(models.TextChoices):
    NORTH = "north", _("North District")
    HAIFA = "haifa", _("Haifa District")
    CENTER = "center", _("Center District")
    TEL_AVIV = "tel_aviv", _("Tel Aviv District")
    JERUSALEM = "jerusalem", _("Jerusalem District")
    SOUTH = "south", _("South District")
    NATIONWIDE = "nationwide", _("Nationwide")
    OTHER = "other", _("Other")


class Organization(TimeStampedModel):
    class Kind(models.TextChoices):
        NONPROFIT = "nonprofit", _("Registered nonprofit (amuta)")
        PUBLIC_BENEFIT_COMPANY = "pbc", _("Public-benefit company")
        GRASSROOTS = "grassroots", _("Grassroots group or initiative")
        COALITION = "coalition", _("Coalition of organizations")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        NONE = "0", _("None")
        ONE_TO_FIVE = "1-5", _("1 to 5")
        SIX_TO_TWENTY = "6-20", _("6 to 20")
        TWENTY_ONE_TO_FIFTY = "21-50", _("21 to 50")
        OVER_FIFTY = "51+", _("More than 50")

    # Indexed for the request list sorted by organization.
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    registration_number = models.CharField(
        _("registration number"), max_length=9, blank=True, default=""
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    staff_size = models.CharField(
        _("paid staff"), max_length=10, choices=Size.choices, blank=True
    )
    volunteer_size = models.CharField(
        _("volunteers"), max_length=10, choices=Size.choices, blank=True
    )
    population_served = models.TextField(_("population served"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="unique_organization_registration_number",
            )
        ]

    def __str__(self):
        return self.name


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requests `user` may open. The rule is in permissions.py,
        which imports nothing of the project, so this module imports it at
        the top with no cycle."""
        return visible_consultations(self, user=user)


class Consultation(TimeStampedModel):
    """One request for a consultation, as submitted through the public form."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_TRIAGE = "in_triage", _("In triage")
        ASSIGNED = "assigned", _("Advisor assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_FOR_ORGANIZATION = "waiting", _("Waiting for the organization")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Regular")
        URGENT = "urgent", _("Urgent")

    class ContactMethod(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        WHATSAPP = "whatsapp", _("WhatsApp message")

    CLOSED_STATUSES = (Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN)
    OPEN_STATUSES = (
        Status.NEW,
        Status.IN_TRIAGE,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING_FOR_ORGANIZATION,
    )
    # An advisor's load: requests assigned to them and not yet closed.
    ACTIVE_STATUSES = (
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING_FOR_ORGANIZATION,
    )

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("organization"),
    )
    organization_as_submitted = models.JSONField(
        _("organization details as submitted"), default=dict, blank=True
    )
    track = models.ForeignKey(
        "tracks.Track",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("track"),
    )
    track_format = models.ForeignKey(
        "tracks.TrackFormat",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("format"),
    )
    adjacent_areas = models.ManyToManyField(
        "tracks.AdjacentArea",
        blank=True,
        related_name="consultations",
        verbose_name=_("adjacent areas"),
    )
    goal = models.TextField(_("goal"))
    background = models.TextField(_("background and what was tried"), blank=True)
    timing = models.TextField(_("deadlines or events"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_crisis = models.BooleanField(
        _("crisis"),
        default=False,
        db_index=True,
        help_text=_(
            "Set from the track; a crisis request is seen only by staff with the "
            "crisis permission and by its assigned advisor."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
    )

    # Contact person: a snapshot per request, so anonymizing one request
    # touches no other.
    contact_name = models.CharField(_("full name"), max_length=150)
    contact_role = models.CharField(_("role"), max_length=150, blank=True)
    contact_email = models.EmailField(_("email"), db_index=True)
    contact_phone = PhoneNumberField(_("phone"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.HEBREW,
    )
    preferred_contact_method = models.CharField(
        _("preferred way to be reached"),
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    preferred_contact_times = models.CharField(
        _("preferred times"), max_length=200, blank=True
    )

    consent_given_at = models.DateTimeField(_("consent given at"))
    privacy_policy_version = models.CharField(
        _("privacy policy version"), max_length=20
    )

    # A one-time key carried by the form, so a repeated post creates nothing.
    submission_key = models.UUIDField(
        _("submission key"), unique=True, default=uuid.uuid4
    )
    # SHA-256 of the private status link's token; the raw token is never stored.
    status_token_hash = models.CharField(max_length=64, unique=True)

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_consultations",
        verbose_name=_("advisor"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    first_response_due_at = models.DateTimeField(_("first response due"), db_index=True)
    first_responded_at = models.DateTimeField(
        _("first responded at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("consultation request")
        verbose_name_plural = _("consultation requests")
        # Its full name and every use: consultations/permissions.py.
        permissions = [
            ("view_crisis_consultation", _("Can see crisis requests")),
        ]
        indexes = [
            models.Index(
                fields=["-is_crisis", "first_response_due_at"],
                name="consultation_triage_order",
            ),
            models.Index(fields=["advisor", "status"], name="consultation_advisor"),
            # The staff list's default view: open requests, crisis first,
            # then by response deadline. The values are OPEN_STATUSES, which
            # a nested Meta cannot see.
            models.Index(
                fields=["-is_crisis", "first_response_due_at"],
                condition=Q(
                    status__in=[
                        "new",
                        "in_triage",
                        "assigned",
                        "in_progress",
                        "waiting",
                    ]
                ),
                name="consultation_open_triage",
            ),
            # The staff list filtered by status and track (and its COUNT).
            models.Index(fields=["status", "track"], name="consultation_status_track"),
            # The urgency filter over all requests, in the list's order.
            models.Index(
                fields=["-is_crisis", "first_response_due_at"],
                condition=Q(urgency="urgent"),
                name="consultation_urgent_triage",
            ),
            # PostgreSQL only, so created in migration 0040 and not declared
            # here: trigram GIN indexes on UPPER(reference) and
            # UPPER(contact_email), and on the organization's UPPER(name),
            # for the admin's search (icontains).
        ]

    def __str__(self):
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def version(self) -> str:
        """What a page posts back with an action, so that the action is
        refused if the request changed since (`lock_consultation`)."""
        return self.updated_at.isoformat()


class CoalitionMember(TimeStampedModel):
    """A member organization named on a coalition request."""

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="coalition_members",
        verbose_name=_("request"),
    )
    name = models.CharField(_("organization name"), max_length=200)
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("coalition member")
        verbose_name_plural = _("coalition members")

    def __str__(self):
        return self.name


class StatusChange(models.Model):
    """History: who moved a request from which status to which, and why."""

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("request"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Consultation.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=20, choices=Consultation.Status.choices
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.consultation_id}: {self.from_status} → {self.to_status}"


class Message(models.Model):
    """A message between the organization and the center, shown on both sides."""

    class Direction(models.TextChoices):
        FROM_ORGANIZATION = "in", _("From the organization")
        TO_ORGANIZATION = "out", _("To the organization")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("request"),
    )
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.consultation_id}: {self.get_direction_display()}"


class OutboundEmail(TimeStampedModel):
    """The outbox: every email is a row first, written in the transaction
    that causes it, and delivered at most once by a Celery task."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation to the organization")
        STAFF_NEW_REQUEST = "staff_new_request", _("New request to staff")
        STATUS_LINK = "status_link", _("Status link resent")
        MESSAGE_TO_STAFF = "message_to_staff", _("Message from the organization")
        MESSAGE_TO_ORGANIZATION = "message_to_org", _("Message to the organization")
        ADVISOR_ASSIGNED = "advisor_assigned", _("Advisor assigned")
        ASSIGNMENT_TO_ADVISOR = "assignment", _("New assignment to the advisor")
        MEETING_INVITATION = "meeting", _("Meeting invitation")
        COMPLETED = "completed", _("Request completed")
        DECLINED = "declined", _("Request declined")
        WITHDRAWN = "withdrawn", _("Request withdrawn, to staff")
        PASSWORD_RESET = "password_reset", _("Password reset")
        # Follow-ups (services/followups.py)
        RESPONSE_REMINDER = "response_reminder", _("First-response reminder")
        RESPONSE_ESCALATION = "response_escalation", _("Overdue requests, to staff")
        WAITING_NUDGE = "waiting_nudge", _("Reminder to the organization")
        WAITING_ADVISOR = "waiting_advisor", _("Organization silent, to the advisor")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback request")
        WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Unique per logical email, e.g. "confirmation:42", so nothing is queued twice.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    to_address = models.EmailField(_("to"))
    reply_to = models.EmailField(_("reply to"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HEBREW
    )
    # Template context; secrets in it are removed once the email is sent.
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to_address}"


class ReferenceSequence(models.Model):
    """The last reference number used in a year; locked row by row."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


# Triage: advisors, internal notes and meetings.


@deconstructible
class ChoiceListValidator:
    """Checks that a JSON list holds only values of a TextChoices, once each.

    Lists in a JSONField rather than a join table keep the advisor ranking to
    one query, and the check works the same on SQLite and PostgreSQL.
    """

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def __call__(self, value) -> None:
        allowed = set(self.choices.values)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item in allowed for item in value
        ):
            raise ValidationError(
                _("Choose only values from the list: %(values)s."),
                code="invalid_choice",
                params={"values": ", ".join(sorted(allowed))},
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("Each value may appear once."), code="duplicate")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and self.choices is other.choices


class AdvisorProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)

    def with_load(self):
        """Each profile's `load`: the advisor's requests still being worked
        on (assigned, in progress or waiting), counted in the same query."""
        return self.annotate(
            load=models.Count(
                "user__assigned_consultations",
                filter=models.Q(
                    user__assigned_consultations__status__in=(
                        Consultation.ACTIVE_STATUSES
                    )
                ),
                distinct=True,
            )
        )


class AdvisorProfile(TimeStampedModel):
    """What an advisor covers and how much work they can take."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="advisor_profile",
        verbose_name=_("user"),
    )
    tracks = models.ManyToManyField(
        "tracks.Track",
        related_name="advisor_profiles",
        verbose_name=_("tracks of expertise"),
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        validators=[ChoiceListValidator(Language)],
    )
    regions = models.JSONField(
        _("regions covered"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Region)],
        help_text=_("An advisor who covers “Nationwide” matches every region."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=5,
        help_text=_("How many active requests the advisor can hold at once."),
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    last_assigned_at = models.DateTimeField(
        _("last assigned at"), null=True, blank=True
    )

    objects = AdvisorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "pk"]
        verbose_name = _("advisor profile")
        verbose_name_plural = _("advisor profiles")

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class InternalNote(TimeStampedModel):
    """A note staff and the advisor keep on a request; never shown to the
    organization."""

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="internal_notes",
        verbose_name=_("request"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return f"{self.consultation_id}: {self.body[:40]}"


class Meeting(TimeStampedModel):
    """A meeting with the organization; its calendar invitation keeps one UID
    and counts its versions in `sequence` (RFC 5545)."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("request"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advisor"),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration = models.DurationField(_("duration"), default=timedelta(hours=1))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    location_or_link = models.CharField(_("place or link"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    sequence = models.PositiveIntegerField(_("invitation version"), default=0)
    uid = models.UUIDField(_("calendar UID"), unique=True, default=uuid.uuid4)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)),
                name="meeting_duration_positive",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + self.duration

    @property
    def ics_uid(self) -> str:
        return f"{self.uid}@shatil-portal"


# Follow-ups: response policy, scheduled follow-ups, feedback.


class ResponsePolicy(TimeStampedModel):
    """How soon a request must get its first response, and when to remind.

    One row per urgency applies to every track; a row that names a track
    overrides it for that track. Without any row the settings'
    defaults apply (3 business days; urgent and crisis 1).
    """

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Regular")
        URGENT = "urgent", _("Urgent")
        CRISIS = "crisis", _("Crisis")

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    track = models.ForeignKey(
        "tracks.Track",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_policies",
        verbose_name=_("track"),
        help_text=_("Leave empty for the policy of every track."),
    )
    first_response_business_days = models.PositiveSmallIntegerField(
        _("first response within (business days)"),
        validators=[MaxValueValidator(30)],
        help_text=_(
            "Counted from the business day the request arrives on (after 14:00, "
            "the next one); the deadline is the end of that day."
        ),
    )
    reminder_business_days_before = models.PositiveSmallIntegerField(
        _("reminder (business days before the deadline)"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_(
            "0 sends the reminder on the morning of the deadline day, 1 on the "
            "morning of the business day before, and so on."
        ),
    )

    class Meta:
        ordering = ["track", "urgency"]
        verbose_name = _("response policy")
        verbose_name_plural = _("response policies")
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "track"],
                condition=Q(track__isnull=False),
                name="unique_response_policy_per_track",
                violation_error_message=_(
                    "This track already has a policy for this urgency."
                ),
            ),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=Q(track__isnull=True),
                name="unique_response_policy_general",
                violation_error_message=_(
                    "There is already a policy for this urgency on every track."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()}: {self.track or _('every track')}"


class FollowUp(TimeStampedModel):
    """One scheduled email about a request: a reminder, a nudge, a feedback
    request. Periodic jobs send the due rows; a row is never repeated, so a
    second nudge is sequence 2 (DECISIONS.md, "Email")."""

    class Kind(models.TextChoices):
        RESPONSE_REMINDER = "response_reminder", _("First-response reminder")
        RESPONSE_ESCALATION = "response_escalation", _("First-response escalation")
        WAITING_NUDGE = "waiting_nudge", _("Reminder to the organization")
        WAITING_ADVISOR = "waiting_advisor", _("Organization silent, to the advisor")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback request")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="followups",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    # The move into "waiting" that started a series of nudges.
    status_change = models.ForeignKey(
        StatusChange,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SCHEDULED,
        db_index=True,
    )
    failure_message = models.TextField(_("why it was cancelled or failed"), blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "sequence"],
                name="unique_followup_per_consultation_kind_sequence",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "scheduled_at"],
                condition=Q(status="scheduled"),
                name="followup_due",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.get_kind_display()} #{self.sequence}"


class Feedback(TimeStampedModel):
    """The organization's feedback after a completed consultation: one answer
    per request, reached through an emailed link whose token is stored only
    as its SHA-256."""

    class ReachedGoal(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("request"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HEBREW
    )
    submitted_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 to 5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    reached_goal = models.CharField(
        _("helped reach the goal"),
        max_length=10,
        choices=ReachedGoal.choices,
        blank=True,
    )
    would_recommend = models.BooleanField(_("would recommend"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="feedback_satisfaction_1_to_5",
            )
        ]

    def __str__(self):
        return f"{self.consultation_id}: {self.satisfaction or '—'}"

    @property
    def is_answered(self) -> bool:
        return self.submitted_at is not None


# Organization merges (services/organizations.py).


class OrganizationMerge(TimeStampedModel):
    """History: an organization that turned out to be another one was merged
    into it, by whom and when. The merged organization is deleted, so its
    details are kept here as they were; `consultations` are the requests
    that moved."""

    target = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="merges_received",
        verbose_name=_("merged into"),
    )
    source_pk = models.PositiveBigIntegerField(_("merged organization's number"))
    source_name = models.CharField(_("merged organization"), max_length=200)
    source_registration_number = models.CharField(
        _("merged organization's registration number"), max_length=9, blank=True
    )
    source_details = models.JSONField(
        _("merged organization's details"), default=dict, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    consultations = models.ManyToManyField(
        Consultation,
        blank=True,
        related_name="organization_merges",
        verbose_name=_("requests moved"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organization merge")
        verbose_name_plural = _("organization merges")

    def __str__(self):
        return f"{self.source_name} → {self.target_id}"


# Access log (services/access_log.py).


class AccessLogEntry(TimeStampedModel):
    """Who looked at or exported a request's personal data, and when: the
    request page in the admin or the workspace, a CSV export, or the
    organization page that lists the request's contact people."""

    class Action(models.TextChoices):
        VIEWED_IN_ADMIN = "admin_view", _("Viewed the request page (admin)")
        VIEWED_IN_WORKSPACE = "workspace_view", _("Viewed the request page (workspace)")
        EXPORTED_CSV = "csv_export", _("Exported as CSV")
        VIEWED_ORGANIZATION = "organization_view", _("Viewed the organization page")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as written, so the log still names a user who was deleted.
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("request"),
    )
    reference = models.CharField(_("reference"), max_length=20, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(
                fields=["consultation", "-created_at"], name="access_log_request"
            ),
            models.Index(fields=["-created_at"], name="access_log_time"),
        ]

    def __str__(self):
        return f"{self.username}: {self.get_action_display()} {self.reference}"
