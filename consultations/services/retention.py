"""Retention: closed requests lose their personal data once the period set in
settings.RETENTION_MONTHS has passed, and staff can anonymize one request on
demand (a data-subject request).

Anonymizing removes the contact person, the free text of the request and of
everything attached to it (messages, notes, meetings, history notes,
feedback comment, coalition contacts and their links, the reasons
of refused deletion requests, outbox addresses and contents),
deletes its files (rows and stored files) and the mail received about it,
replaces the private links' token hashes, so the links stop working, and
revokes its reply address. The
track, dates, statuses, urgency, organization and feedback scores stay, so
the statistics still count the request.
"""

import hashlib
import secrets

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.models import (
    CoalitionMember,
    Consultation,
    ConsultationOutcome,
    DeletionRequest,
    Feedback,
    FollowUp,
    InternalNote,
    Meeting,
    Message,
    OutboundEmail,
    StatusChange,
)
from consultations.services.access import ensure_staff
from consultations.services.attachments import attachments_delete_for
from consultations.services.engagement import work_plan_erase_personal_data
from consultations.services.inbound import (
    inbound_mail_erase_for,
    inbound_mail_purge_held,
)
from consultations.services.workflow import lock_consultation

# What stays of the organization as the requester typed it: the
# organization's public identity, not the people or the free text.
KEPT_ORGANIZATION_KEYS = frozenset(
    {"name", "kind", "registration_number", "region", "staff_size", "volunteer_size"}
)
ERASED = ""


def _unusable_token_hash() -> str:
    """The hash of a token nobody ever receives: the old link stops working."""
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def retention_cutoff(*, now) -> object:
    return now - relativedelta(months=settings.RETENTION_MONTHS)


def _erase_attached_rows(*, consultation: Consultation) -> None:
    # The member's email and its "this isn't us" link.
    CoalitionMember.objects.filter(consultation=consultation).update(
        contact_email=ERASED, notice_token_hash=ERASED
    )
    DeletionRequest.objects.filter(consultation=consultation).update(
        refusal_reason=ERASED
    )
    # A deletion request still waiting is fulfilled by this anonymization
    # (the retention job's included), so it leaves the staff's task list.
    DeletionRequest.objects.filter(
        consultation=consultation, status=DeletionRequest.Status.PENDING
    ).update(status=DeletionRequest.Status.APPROVED, decided_at=timezone.now())
    Message.objects.filter(consultation=consultation).update(body=ERASED)
    InternalNote.objects.filter(consultation=consultation).update(body=ERASED)
    Meeting.objects.filter(consultation=consultation).update(
        summary=ERASED, location_or_link=ERASED
    )
    StatusChange.objects.filter(consultation=consultation).update(note=ERASED)
    Feedback.objects.filter(consultation=consultation).update(
        comment=ERASED, token_hash=_unusable_token_hash()
    )
    outbox = OutboundEmail.objects.filter(consultation=consultation)
    outbox.filter(
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]
    ).update(status=OutboundEmail.Status.FAILED)
    outbox.update(to_address=ERASED, reply_to=ERASED, context={}, last_error=ERASED)
    FollowUp.objects.filter(
        consultation=consultation, status=FollowUp.Status.SCHEDULED
    ).update(status=FollowUp.Status.CANCELLED)
    FollowUp.objects.filter(consultation=consultation).update(failure_message=ERASED)
    work_plan_erase_personal_data(consultation=consultation)
    # The outcome's kind stays for the dashboard; its note may name people.
    ConsultationOutcome.objects.filter(consultation=consultation).update(note=ERASED)
    _erase_admin_log(consultation=consultation)
    # Files are personal data whole: the rows go now, the stored files once
    # the transaction commits.
    attachments_delete_for(consultation=consultation)
    # Mail received about it too; its reply address is revoked below.
    inbound_mail_erase_for(consultation=consultation)


def _erase_admin_log(*, consultation: Consultation) -> None:
    """The admin's log keeps each object's str(), which for a note or an
    email holds its text or address."""
    attached = {
        InternalNote: InternalNote.objects.filter(consultation=consultation),
        Message: Message.objects.filter(consultation=consultation),
        CoalitionMember: CoalitionMember.objects.filter(consultation=consultation),
        Meeting: Meeting.objects.filter(consultation=consultation),
        OutboundEmail: OutboundEmail.objects.filter(consultation=consultation),
        Feedback: Feedback.objects.filter(consultation=consultation),
    }
    for model, rows in attached.items():
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if ids:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=ids,
            ).update(object_repr=f"{consultation.reference} ({model._meta.model_name})")
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Consultation),
        object_id=str(consultation.pk),
    ).update(object_repr=consultation.reference)


@transaction.atomic
def consultation_anonymize(
    *, consultation: Consultation, actor=None, reason: str
) -> Consultation:
    """Remove the request's personal data and record who did it and why.

    `actor` is the staff member acting on a data-subject request, or None
    for the retention job. The history row keeps the status on both sides.
    """
    consultation = lock_consultation(consultation.pk)
    if actor is not None:
        ensure_staff(actor=actor, consultation=consultation)
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request was already anonymized."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the request is anonymized."))

    _erase_attached_rows(consultation=consultation)
    consultation.contact_name = ERASED
    consultation.contact_role = ERASED
    consultation.contact_email = ERASED
    consultation.contact_phone = ERASED
    consultation.preferred_contact_times = ERASED
    consultation.goal = ERASED
    consultation.background = ERASED
    consultation.timing = ERASED
    consultation.organization_as_submitted = {
        key: value
        for key, value in consultation.organization_as_submitted.items()
        if key in KEPT_ORGANIZATION_KEYS
    }
    consultation.status_token_hash = _unusable_token_hash()
    consultation.reply_token = None
    consultation.anonymized_at = timezone.now()
    consultation.save(
        update_fields=[
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "preferred_contact_times",
            "goal",
            "background",
            "timing",
            "organization_as_submitted",
            "status_token_hash",
            "reply_token",
            "anonymized_at",
            "updated_at",
        ]
    )
    StatusChange.objects.create(
        consultation=consultation,
        actor=actor,
        from_status=consultation.status,
        to_status=consultation.status,
        note=_("Anonymized: %(reason)s") % {"reason": reason},
    )
    return consultation


def retention_anonymize_due(*, now=None) -> int:
    """Anonymize the requests closed before the retention period; each in
    its own transaction, skipping a request another worker holds."""
    now = now or timezone.now()
    due_ids = list(
        Consultation.objects.filter(
            status__in=Consultation.CLOSED_STATUSES,
            closed_at__lt=retention_cutoff(now=now),
            anonymized_at__isnull=True,
        )
        .order_by("closed_at", "pk")
        .values_list("pk", flat=True)[: settings.FOLLOWUP_BATCH_SIZE]
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("the retention period of %(months)s months ended.") % {
            "months": settings.RETENTION_MONTHS
        }
    done = 0
    for consultation_id in due_ids:
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update(skip_locked=True)
                .filter(pk=consultation_id, anonymized_at__isnull=True)
                .first()
            )
            if consultation is None:
                continue
            consultation_anonymize(consultation=consultation, reason=reason)
            done += 1
    inbound_mail_purge_held(now=now)
    return done


@transaction.atomic
def consultation_delete(*, consultation: Consultation, actor) -> None:
    """Delete a request outright (superusers, from the admin: spam, a test).

    Its rows go with it; its stored files and the originals of the mail
    received about it are deleted once the transaction commits (a rollback
    keeps them). The received mail's rows stay, emptied, so that the same
    message is not taken again."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied
    attachments_delete_for(consultation=consultation)
    inbound_mail_erase_for(consultation=consultation)
    consultation.delete()


@transaction.atomic
def consultations_delete(*, consultations, actor) -> int:
    """`consultation_delete` for each of several requests: all or none."""
    count = 0
    for consultation in consultations:
        consultation_delete(consultation=consultation, actor=actor)
        count += 1
    return count
