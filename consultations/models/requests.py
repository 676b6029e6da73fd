"""Consultation requests and their history.

State changes happen only in services (services/); these models hold data,
constraints and values derived from their own fields.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from consultations.permissions import visible_consultations
from shatil_portal.models import TimeStampedModel

from .choices import Language
from .organizations import Organization


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
    # The token of the request's reply address (reply+<token>@domain,
    # consultations/inbound/addresses.py): random, unguessable, separate
    # from the status token, stored as is so that inbound mail can be
    # matched; cleared when the request is anonymized (the address is
    # revoked). Made when the first email that carries it is queued.
    reply_token = models.CharField(
        max_length=32, unique=True, null=True, blank=True, editable=False
    )

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
            # The staff list filtered by status and track (and its COUNT), by
            # track alone over all requests, or by advisor: each in the
            # list's order, so that a page is the index's first rows rather
            # than a walk of the whole order filtered row by row (at
            # 1,000,000 requests, 140 ms → 0.3 ms for a track's completed
            # requests).
            models.Index(
                fields=["status", "track", "-is_crisis", "first_response_due_at"],
                name="consultation_status_track_ord",
            ),
            models.Index(
                fields=["track", "-is_crisis", "first_response_due_at"],
                name="consultation_track_order",
            ),
            models.Index(
                fields=["advisor", "-is_crisis", "first_response_due_at"],
                name="consultation_advisor_order",
            ),
            # The urgency filter over all requests, in the list's order.
            models.Index(
                fields=["-is_crisis", "first_response_due_at"],
                condition=Q(urgency="urgent"),
                name="consultation_urgent_triage",
            ),
            # The staff dashboard's figures over a period (selectors/
            # dashboard.py), read from the index alone rather than from the
            # wide rows: at 1,000,000 requests the live figures took 2.1 s
            # through the plain date index, 1.1 s through these.
            models.Index(
                fields=["submitted_at"],
                include=[
                    "id",
                    "organization",
                    "track",
                    "urgency",
                    "is_crisis",
                    "status",
                    "first_responded_at",
                    "first_response_due_at",
                    "closed_at",
                ],
                name="consultation_dashboard_period",
            ),
            models.Index(
                fields=["closed_at"],
                include=["id", "track", "status", "urgency", "is_crisis"],
                condition=Q(closed_at__isnull=False),
                name="consultation_dashboard_closed",
            ),
            models.Index(
                fields=["submitted_at"],
                include=[
                    "id",
                    "track",
                    "urgency",
                    "first_responded_at",
                    "first_response_due_at",
                    "closed_at",
                ],
                condition=Q(is_crisis=True),
                name="consultation_dashboard_crisis",
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
    # SHA-256 of the token in the notice's "this isn't us" link; empty when
    # the member has no email (no notice, no link).
    notice_token_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("coalition member")
        verbose_name_plural = _("coalition members")

    def __str__(self):
        return self.name


class StatusChange(models.Model):
    """History: who moved a request from which status to which, and why.

    A row with an `event` records something other than a move (the status is
    the same on both sides): the organization corrected its contact details,
    a coalition member asked to be removed, a deletion request and its
    answer.
    """

    class Event(models.TextChoices):
        STATUS = "", _("Status change")
        CONTACT_CORRECTED = "contact_corrected", _("Contact details corrected")
        MEMBER_REMOVED = "member_removed", _("Coalition member removed")
        DELETION_REQUESTED = "deletion_requested", _("Deletion requested")
        DELETION_REFUSED = "deletion_refused", _("Deletion refused")

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
    event = models.CharField(
        _("event"), max_length=20, choices=Event.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        # The request page's history lists these: the statuses by their labels.
        if self.event:
            return str(self.get_event_display())
        if not self.from_status:
            return str(self.get_to_status_display())
        return _("%(from)s → %(to)s") % {
            "from": self.get_from_status_display(),
            "to": self.get_to_status_display(),
        }


class ReferenceSequence(models.Model):
    """A year's reference counter. On PostgreSQL, the number the year's
    sequence starts after (references come from the sequence, migration
    0106); on SQLite, the last number used, locked row by row."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"
