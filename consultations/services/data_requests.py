"""What the organization does with its own data, and what a listed member
organization can do (Israel's Privacy Protection Law): correct the contact
details, ask for deletion (a staff task with a deadline, approved or
refused by staff), and remove a coalition member that says "this isn't us".

Each function runs in one transaction, writes a history row (naming what
changed, never the personal data itself) and tells the other side through
the outbox.
"""

from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.business_time import add_business_days
from consultations.models import (
    CoalitionMember,
    Consultation,
    DeletionRequest,
    OutboundEmail,
    StatusChange,
)
from consultations.services.access import ensure_staff
from consultations.services.intake import ContactDetails, phone_to_e164
from consultations.services.notices import (
    format_local,
    notify_organization,
    staff_summary,
)
from consultations.services.outbox import outbox_enqueue
from consultations.services.requester import staff_inbox, staff_recipient
from consultations.services.retention import consultation_anonymize
from consultations.services.workflow import lock_consultation

Event = StatusChange.Event

# The contact fields the organization may correct: the request's field for
# each ContactDetails attribute.
CORRECTABLE_CONTACT_FIELDS = {
    "name": "contact_name",
    "role": "contact_role",
    "email": "contact_email",
    "phone": "contact_phone",
    "preferred_language": "preferred_language",
    "preferred_contact_method": "preferred_contact_method",
    "preferred_contact_times": "preferred_contact_times",
}


def _history_row(*, consultation: Consultation, event: str, note: str, actor=None):
    """A history row that keeps the status on both sides."""
    return StatusChange.objects.create(
        consultation=consultation,
        actor=actor,
        from_status=consultation.status,
        to_status=consultation.status,
        event=event,
        note=note,
    )


def _ensure_available(consultation: Consultation) -> None:
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request is no longer available."))


def _field_labels(*, fields: list[str], language: str) -> str:
    """The names of the changed fields, in `language`, for staff."""
    with translation.override(language):
        return ", ".join(
            str(Consultation._meta.get_field(name).verbose_name) for name in fields
        )


@transaction.atomic
def consultation_contact_correct(
    *, consultation: Consultation, contact: ContactDetails
) -> list[str]:
    """The organization corrects its contact details from its status page.

    Returns the request's fields that changed (none: nothing is written).
    The history row and the email to the advisor (or the staff inbox) name
    the fields, not their values: the values are personal data, kept only on
    the request itself.
    """
    consultation = lock_consultation(consultation.pk)
    _ensure_available(consultation)
    wanted = asdict(contact)
    wanted["phone"] = phone_to_e164(wanted["phone"])
    changed = []
    for attribute, field in CORRECTABLE_CONTACT_FIELDS.items():
        current = getattr(consultation, field)
        current = current.as_e164 if field == "contact_phone" and current else current
        if (current or "") != (wanted[attribute] or ""):
            setattr(consultation, field, wanted[attribute])
            changed.append(field)
    if not changed:
        return []
    consultation.full_clean(
        exclude=["contact_phone", "organization", "track", "track_format"],
        validate_unique=False,
        validate_constraints=False,
    )
    consultation.save(update_fields=[*changed, "updated_at"])
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The organization corrected its contact details: %(fields)s.") % {
            "fields": _field_labels(fields=changed, language=settings.LANGUAGE_CODE)
        }
    change = _history_row(
        consultation=consultation, event=Event.CONTACT_CORRECTED, note=note
    )
    recipient, language, url = staff_recipient(consultation=consultation)
    outbox_enqueue(
        kind=OutboundEmail.Kind.CONTACT_CORRECTED,
        to_address=recipient,
        dedup_key=f"contact_corrected:{change.pk}",
        language=language,
        consultation=consultation,
        context={
            "staff_url": url,
            **staff_summary(
                consultation,
                language,
                fields=_field_labels(fields=changed, language=language),
            ),
        },
    )
    return changed


@transaction.atomic
def coalition_member_remove(*, member: CoalitionMember) -> Consultation:
    """A member organization said "this isn't us" through its notice's link:
    it leaves the request, the history says so, and the advisor (or the
    staff inbox) is told. The member's row, with its email and its link,
    is deleted: the link stops working."""
    consultation = lock_consultation(member.consultation_id)
    _ensure_available(consultation)
    member = CoalitionMember.objects.filter(pk=member.pk).first()
    if member is None:
        raise ValidationError(_("This organization was already removed."))
    name = member.name
    member.delete()
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "“%(name)s” said it was listed by mistake and was removed from the "
            "coalition members."
        ) % {"name": name}
    change = _history_row(
        consultation=consultation, event=Event.MEMBER_REMOVED, note=note
    )
    recipient, language, url = staff_recipient(consultation=consultation)
    outbox_enqueue(
        kind=OutboundEmail.Kind.MEMBER_REMOVED,
        to_address=recipient,
        dedup_key=f"member_removed:{change.pk}",
        language=language,
        consultation=consultation,
        context={
            "staff_url": url,
            **staff_summary(consultation, language, member_name=name),
        },
    )
    return consultation


def deletion_due_at(*, now) -> object:
    return add_business_days(moment=now, days=settings.DELETION_REQUEST_BUSINESS_DAYS)


@transaction.atomic
def deletion_request_create(*, consultation: Consultation) -> DeletionRequest:
    """The organization asks that its request's personal data be deleted:
    a task for staff, due in DELETION_REQUEST_BUSINESS_DAYS business days,
    with a history row and an email to the staff inbox (staff approve it,
    not the advisor). A second request while one waits changes nothing."""
    consultation = lock_consultation(consultation.pk)
    _ensure_available(consultation)
    pending = consultation.deletion_requests.filter(
        status=DeletionRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    deletion = DeletionRequest(
        consultation=consultation, due_at=deletion_due_at(now=timezone.now())
    )
    deletion.full_clean()
    deletion.save()
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The organization asked for its data to be deleted.")
    _history_row(consultation=consultation, event=Event.DELETION_REQUESTED, note=note)
    recipient, language, url = staff_inbox(consultation=consultation)
    outbox_enqueue(
        kind=OutboundEmail.Kind.DELETION_REQUESTED,
        to_address=recipient,
        dedup_key=f"deletion_requested:{deletion.pk}",
        language=language,
        consultation=consultation,
        context={
            "staff_url": url,
            "due": format_local(moment=deletion.due_at, language=language),
            **staff_summary(consultation, language),
        },
    )
    return deletion


def _lock_pending(deletion: DeletionRequest) -> DeletionRequest:
    deletion = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
    if deletion.status != DeletionRequest.Status.PENDING:
        raise ValidationError(_("This deletion request was already answered."))
    return deletion


@transaction.atomic
def deletion_request_approve(*, deletion: DeletionRequest, actor) -> DeletionRequest:
    """Staff approve: the request is anonymized (services/retention.py, the
    one place that removes personal data) and the organization is told.

    The email is queued after the anonymization, so that the address it
    goes to is the only personal data left, in that one outbox row.
    """
    consultation = lock_consultation(deletion.consultation_id)
    ensure_staff(actor=actor, consultation=consultation)
    deletion = _lock_pending(deletion)
    _ensure_available(consultation)
    address = consultation.contact_email
    language = consultation.preferred_language
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("the organization asked for its data to be deleted.")
    consultation = consultation_anonymize(
        consultation=consultation, actor=actor, reason=reason
    )
    deletion.status = DeletionRequest.Status.APPROVED
    deletion.decided_at = timezone.now()
    deletion.decided_by = actor
    deletion.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    outbox_enqueue(
        kind=OutboundEmail.Kind.DELETION_DONE,
        to_address=address,
        dedup_key=f"deletion_done:{deletion.pk}",
        language=language,
        reply_to=settings.STAFF_INBOX_EMAIL,
        consultation=consultation,
        context={"reference": consultation.reference},
    )
    return deletion


@transaction.atomic
def deletion_request_refuse(
    *, deletion: DeletionRequest, actor, reason: str
) -> DeletionRequest:
    """Staff refuse, saying why (e.g. the consultation is still running, or
    the law asks to keep a record): the organization gets the reason by
    email and the history keeps it."""
    consultation = lock_consultation(deletion.consultation_id)
    ensure_staff(actor=actor, consultation=consultation)
    deletion = _lock_pending(deletion)
    _ensure_available(consultation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the deletion is refused."))
    deletion.status = DeletionRequest.Status.REFUSED
    deletion.decided_at = timezone.now()
    deletion.decided_by = actor
    deletion.refusal_reason = reason
    deletion.full_clean()
    deletion.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "refusal_reason",
            "updated_at",
        ]
    )
    _history_row(
        consultation=consultation,
        event=Event.DELETION_REFUSED,
        note=reason,
        actor=actor,
    )
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.DELETION_REFUSED,
        dedup_key=f"deletion_refused:{deletion.pk}",
        reason=reason,
    )
    return deletion
