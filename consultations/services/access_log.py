"""The access log: who viewed or exported a request's personal data.

Called from the pages that show it (the request page in the admin and in
the workspace, the organization page) and from the CSV exports, before the
data leaves the server. Each entry names one request, so the request's own
page lists everyone who saw it; an export of many requests writes one entry
per request.
"""

from collections.abc import Iterable

from django.db import transaction

from consultations.models import AccessLogEntry, Consultation, Organization

Action = AccessLogEntry.Action

# Large exports are written in batches of this many rows.
BATCH_SIZE = 1000


def _entry(*, user, action: str, consultation_id, reference: str, organization_id):
    return AccessLogEntry(
        user=user,
        username=user.get_username(),
        action=action,
        consultation_id=consultation_id,
        reference=reference,
        organization_id=organization_id,
    )


@transaction.atomic
def access_log_request_viewed(
    *, user, consultation: Consultation, action: str
) -> AccessLogEntry:
    """`user` opened the request page (`action`: admin or workspace)."""
    if action not in (Action.VIEWED_IN_ADMIN, Action.VIEWED_IN_WORKSPACE):
        raise ValueError(f"Not a page view: {action!r}")
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        consultation=consultation,
        reference=consultation.reference,
        organization_id=consultation.organization_id,
    )


@transaction.atomic
def access_log_requests_exported(*, user, consultation_ids: Iterable[int]) -> int:
    """`user` downloaded these requests as CSV; returns how many entries were
    written."""
    ids = list(consultation_ids)
    rows = Consultation.objects.filter(pk__in=ids).values_list(
        "pk", "reference", "organization_id"
    )
    entries = [
        _entry(
            user=user,
            action=Action.EXPORTED_CSV,
            consultation_id=pk,
            reference=reference,
            organization_id=organization_id,
        )
        for pk, reference, organization_id in rows.iterator(chunk_size=BATCH_SIZE)
    ]
    AccessLogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    return len(entries)


@transaction.atomic
def access_log_organization_viewed(
    *, user, organization: Organization, consultations: Iterable[Consultation]
) -> int:
    """`user` opened the organization page, which lists the contact people of
    `consultations` (the requests the page showed them). An organization
    without a visible request still gets one entry."""
    entries = [
        _entry(
            user=user,
            action=Action.VIEWED_ORGANIZATION,
            consultation_id=consultation.pk,
            reference=consultation.reference,
            organization_id=organization.pk,
        )
        for consultation in consultations
    ] or [
        _entry(
            user=user,
            action=Action.VIEWED_ORGANIZATION,
            consultation_id=None,
            reference="",
            organization_id=organization.pk,
        )
    ]
    AccessLogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    return len(entries)
