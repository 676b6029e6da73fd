"""Helpers shared by the follow-up tests: Israeli moments, requests with a
real response clock, and delivering the outbox into mail.outbox."""

import datetime

from django.core import mail

from consultations.business_time import ISRAEL_TZ
from consultations.models import Consultation, OutboundEmail, StatusChange
from consultations.selectors.followups import first_response_due_at
from consultations.services.outbox import outbound_email_deliver
from tests.factories import ConsultationFactory


def israel(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ISRAEL_TZ)


def request_submitted_at(moment: datetime.datetime, **fields) -> Consultation:
    """A new request whose deadline the business calendar computed."""
    is_crisis = fields.get("crisis", False)
    return ConsultationFactory(
        submitted_at=moment,
        first_response_due_at=first_response_due_at(
            submitted_at=moment,
            is_urgent=is_crisis or fields.get("urgency") == "urgent",
            is_crisis=is_crisis,
        ),
        **fields,
    )


def set_status(consultation: Consultation, status: str, **fields) -> StatusChange:
    """Move a request as a transition service would (history row included)."""
    change = StatusChange.objects.create(
        consultation=consultation, from_status=consultation.status, to_status=status
    )
    consultation.status = status
    for name, value in fields.items():
        setattr(consultation, name, value)
    consultation.save()
    return change


def deliver_outbox() -> list:
    """Send every pending outbox row, as the Celery task would."""
    for email_id in OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING
    ).values_list("pk", flat=True):
        outbound_email_deliver(email_id=email_id)
    return mail.outbox


def queued(kind: str) -> list[tuple[str, int | None]]:
    """(recipient, request id) of every outbox row of `kind`."""
    return sorted(
        OutboundEmail.objects.filter(kind=kind).values_list(
            "to_address", "consultation_id"
        ),
        key=lambda row: (row[0], row[1] or 0),
    )
