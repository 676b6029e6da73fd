"""The outbox of emails (services/outbox.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .choices import Language
from .requests import Consultation


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
        MEETING_INVITATION_TO_ADVISOR = (
            "meeting_advisor",
            _("Meeting invitation, to the advisor"),
        )
        COMPLETED = "completed", _("Request completed")
        DECLINED = "declined", _("Request declined")
        WAITING_FOR_ORGANIZATION = "waiting", _("Waiting for the organization")
        WITHDRAWN = "withdrawn", _("Request withdrawn, to staff")
        PASSWORD_RESET = "password_reset", _("Password reset")
        # Follow-ups (services/followups/)
        RESPONSE_REMINDER = "response_reminder", _("First-response reminder")
        RESPONSE_ESCALATION = "response_escalation", _("Overdue requests, to staff")
        WAITING_NUDGE = "waiting_nudge", _("Reminder to the organization")
        WAITING_ADVISOR = "waiting_advisor", _("Organization silent, to the advisor")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback request")
        WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        MEETING_REMINDER_TO_ADVISOR = (
            "meeting_reminder_advisor",
            _("Meeting reminder, to the advisor"),
        )
        STEP_DUE_ORGANIZATION = "step_due_org", _("Plan step due, to the organization")
        STEP_DUE_ADVISOR = "step_due_advisor", _("Plan step due, to the advisor")
        STEP_OVERDUE = "step_overdue", _("Organization's plan step overdue")
        # The organization's own data (services/data_requests.py)
        COALITION_NOTICE = "coalition_notice", _("Notice to a coalition member")
        MEMBER_REMOVED = "member_removed", _("Coalition member removed, to staff")
        CONTACT_CORRECTED = (
            "contact_corrected",
            _("Contact details corrected, to staff"),
        )
        DELETION_REQUESTED = "deletion_requested", _("Deletion request, to staff")
        DELETION_DONE = "deletion_done", _("Data deleted, to the organization")
        DELETION_REFUSED = (
            "deletion_refused",
            _("Deletion refused, to the organization"),
        )

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
