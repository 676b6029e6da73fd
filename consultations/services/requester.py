"""What the organization can do from its private status page: write to the
staff, withdraw the request, and get a new link when the old one is lost.

Each function runs in one transaction, writes its rows (message, history,
new token hash) and queues its emails in the outbox.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultations.models import Consultation, Message, OutboundEmail
from consultations.services.intake import status_token_new
from consultations.services.notices import (
    notify_organization,
    staff_language,
    staff_reply_to,
    staff_request_url,
    staff_summary,
    status_url,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue
from consultations.services.workflow import apply_status_change, lock_consultation


def staff_inbox(*, consultation: Consultation) -> tuple[str, str, str]:
    """The staff inbox: its address, the language of its emails
    (`staff_language`) and the request's admin page in that language."""
    language = staff_language()
    url = staff_request_url(consultation=consultation, language=language)
    return settings.STAFF_INBOX_EMAIL, language, url


def staff_recipient(*, consultation: Consultation) -> tuple[str, str, str]:
    """The assigned advisor while there is one, else the staff inbox: the
    address, the language of their emails and the request's link there (an
    advisor works in the workspace, not the admin)."""
    advisor = consultation.advisor
    if advisor is not None and advisor.is_active and advisor.email:
        language = staff_language(user=advisor)
        url = workspace_request_url(consultation=consultation, language=language)
        return advisor.email, language, url
    return staff_inbox(consultation=consultation)


@transaction.atomic
def consultation_message_from_organization(
    *, consultation: Consultation, body: str
) -> Message:
    """Store the organization's message and email it to the advisor (or the
    staff inbox while nobody is assigned): the one path of a message from
    the organization, from the status page or by email. A request waiting
    for the organization is in progress again (and so its nudges stop).
    Allowed on closed requests too, which it does not reopen: a correction
    request reaches staff whatever the status."""
    consultation = lock_consultation(consultation.pk)
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request is no longer available."))
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a message before sending it."))
    message = Message(
        consultation=consultation,
        direction=Message.Direction.FROM_ORGANIZATION,
        body=body,
    )
    message.full_clean()
    message.save()
    if consultation.status == Consultation.Status.WAITING_FOR_ORGANIZATION:
        apply_status_change(
            consultation=consultation,
            to_status=Consultation.Status.IN_PROGRESS,
        )

    recipient, language, url = staff_recipient(consultation=consultation)
    outbox_enqueue(
        kind=OutboundEmail.Kind.MESSAGE_TO_STAFF,
        to_address=recipient,
        dedup_key=f"message_to_staff:{message.pk}",
        language=language,
        consultation=consultation,
        reply_to=staff_reply_to(consultation=consultation),
        context={"staff_url": url, **staff_summary(consultation, language, body=body)},
    )
    return message


@transaction.atomic
def consultation_withdraw(*, consultation: Consultation, reason: str = "") -> None:
    """The organization withdraws its request; staff (and the advisor, when
    one is assigned) are told. A closed request cannot be withdrawn."""
    consultation = lock_consultation(consultation.pk)
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request is no longer available."))
    if consultation.is_closed:
        raise ValidationError(_("This request is already closed."))
    reason = reason.strip()
    change = apply_status_change(
        consultation=consultation,
        to_status=Consultation.Status.WITHDRAWN,
        note=reason,
    )
    details = {"reason": reason} if reason else {}
    recipients = {
        address: (language, url)
        for address, language, url in (
            staff_inbox(consultation=consultation),
            staff_recipient(consultation=consultation),
        )
    }
    for recipient, (language, url) in sorted(recipients.items()):
        outbox_enqueue(
            kind=OutboundEmail.Kind.WITHDRAWN,
            to_address=recipient,
            dedup_key=f"withdrawn:{consultation.pk}:{change.pk}:{recipient}",
            language=language,
            consultation=consultation,
            reply_to=staff_reply_to(consultation=consultation),
            context={
                "staff_url": url,
                **staff_summary(consultation, language, **details),
            },
        )


def _normalized_reference(reference: str) -> str:
    return "".join(reference.split()).upper()


@transaction.atomic
def consultation_resend_status_link(*, email: str, reference: str) -> bool:
    """When `email` and `reference` name the same request, replace its status
    token (the old link stops working) and email the new link.

    Returns whether a link was sent, for tests and logs only: the page always
    answers the same way, so it reveals nothing.
    """
    consultation = (
        Consultation.objects.select_for_update()
        .filter(
            reference=_normalized_reference(reference),
            contact_email__iexact=email.strip(),
            anonymized_at__isnull=True,
        )
        .first()
    )
    if consultation is None:
        return False
    token, token_hash = status_token_new()
    consultation.status_token_hash = token_hash
    consultation.save(update_fields=["status_token_hash", "updated_at"])
    # One row per resend: the sequence follows the rows already queued.
    sequence = (
        consultation.outbound_emails.filter(kind=OutboundEmail.Kind.STATUS_LINK).count()
        + 1
    )
    language = consultation.preferred_language
    notify_organization(
        consultation=consultation,
        kind=OutboundEmail.Kind.STATUS_LINK,
        dedup_key=f"status_link:{consultation.pk}:{sequence}",
        secret_status_url=status_url(token=token, language=language),
    )
    return True
