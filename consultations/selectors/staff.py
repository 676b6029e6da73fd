"""Reads for staff and advisors, always scoped by the user who asks.

An advisor sees the requests assigned to them; staff see every request, and
crisis requests as consultations/permissions.py says
(`Consultation.objects.visible_to`). Each
page's reads cost a fixed number of queries, whatever the number of rows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.business_time import to_local
from consultations.models import (
    Consultation,
    FollowUp,
    InternalNote,
    Meeting,
    Message,
    StatusChange,
)
from shatil_portal.people import display_name

Status = Consultation.Status

# What consultation_list_for_advisor leaves out of each row.
LIST_DEFERRED_FIELDS = (
    "goal",
    "background",
    "timing",
    "organization_as_submitted",
    "organization__population_served",
    "track__description",
    "track__description_he",
    "track__description_ar",
    "track__description_en",
)


def consultation_list_for_advisor(*, user, closed: bool = False) -> QuerySet:
    """The requests assigned to `user`: urgent first, then the oldest.

    Open requests by default; `closed=True` lists the finished ones, most
    recently closed first. Each row carries `next_meeting_at`, the next
    scheduled meeting still ahead, and `next_followup_at` and
    `next_followup_kind`, the next follow-up still to be sent (next_step_for
    reads them).
    """
    now = timezone.now()
    statuses = Consultation.CLOSED_STATUSES if closed else Consultation.ACTIVE_STATUSES
    # The earliest scheduled meeting from now on, as a correlated subquery:
    # an aggregate over the joined meetings would GROUP BY every selected
    # column (and make the paginator's COUNT aggregate too).
    next_meeting = (
        Meeting.objects.filter(
            consultation=OuterRef("pk"),
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    next_followup = FollowUp.objects.filter(
        consultation=OuterRef("pk"), status=FollowUp.Status.SCHEDULED
    ).order_by("scheduled_at", "pk")
    queryset = (
        Consultation.objects.filter(advisor=user, status__in=statuses)
        .select_related("organization", "track")
        # Long texts the list never shows.
        .defer(*LIST_DEFERRED_FIELDS)
        .annotate(
            next_meeting_at=Subquery(next_meeting),
            next_followup_at=Subquery(next_followup.values("scheduled_at")[:1]),
            next_followup_kind=Subquery(next_followup.values("kind")[:1]),
            urgency_rank=Case(
                When(is_crisis=True, then=Value(0)),
                When(urgency=Consultation.Urgency.URGENT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
    )
    if closed:
        return queryset.order_by("-closed_at", "-pk")
    return queryset.order_by("urgency_rank", "submitted_at", "pk")


def consultation_get_for_workspace(*, user, pk: int) -> Consultation | None:
    """One request with all its page shows, or None when `user` may not see
    it (the view answers 404 either way, so nothing leaks)."""
    return (
        Consultation.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("organization", "track", "track_format", "advisor", "outcome")
        .prefetch_related(
            "adjacent_areas",
            "coalition_members",
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.select_related("actor"),
            ),
            Prefetch("messages", queryset=Message.objects.select_related("author")),
            Prefetch(
                "internal_notes",
                queryset=InternalNote.objects.select_related("author"),
            ),
            Prefetch("meetings", queryset=Meeting.objects.select_related("advisor")),
        )
        .first()
    )


@dataclass(frozen=True)
class NextStep:
    label: str
    due: datetime | None = None
    overdue: bool = False


def next_step_for(*, consultation: Consultation) -> NextStep:
    """What the advisor owes next on a row of consultation_list_for_advisor."""
    now = timezone.now()
    if consultation.is_closed:
        return NextStep(_("Nothing: the request is closed."))
    if consultation.first_responded_at is None:
        due = consultation.first_response_due_at
        return NextStep(_("First response to the organization"), due, due < now)
    next_meeting_at = getattr(consultation, "next_meeting_at", None)
    if next_meeting_at is not None:
        return NextStep(_("Meeting"), next_meeting_at)
    # The next follow-up still to be sent: when the organization is nudged,
    # or when the advisor is told it is still silent.
    followup_at = getattr(consultation, "next_followup_at", None)
    if consultation.status == Status.WAITING_FOR_ORGANIZATION:
        return NextStep(_("Waiting for the organization's reply"), followup_at)
    if followup_at is not None:
        kind = FollowUp.Kind(consultation.next_followup_kind)
        return NextStep(str(kind.label), followup_at)
    if consultation.status == Status.ASSIGNED:
        return NextStep(_("Plan the work with the organization"))
    return NextStep(_("Continue the consultation"))


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "status", "message", "note" or "meeting"
    at: datetime
    item: object


def consultation_timeline(*, consultation: Consultation) -> list[TimelineEntry]:
    """History, messages, notes and meetings in the order they were written,
    from what consultation_get_for_workspace prefetched (no query)."""
    entries = chain(
        (
            TimelineEntry("status", change.created_at, change)
            for change in consultation.status_changes.all()
        ),
        (
            TimelineEntry("message", message.created_at, message)
            for message in consultation.messages.all()
        ),
        (
            TimelineEntry("note", note.created_at, note)
            for note in consultation.internal_notes.all()
        ),
        (
            TimelineEntry("meeting", meeting.created_at, meeting)
            for meeting in consultation.meetings.all()
        ),
    )
    return sorted(entries, key=lambda entry: entry.at)


def meeting_get_for_workspace(*, user, consultation_pk: int, pk: int) -> Meeting | None:
    return (
        Meeting.objects.filter(
            pk=pk,
            consultation__in=Consultation.objects.visible_to(user).filter(
                pk=consultation_pk
            ),
        )
        .select_related("consultation__advisor", "advisor")
        .first()
    )


def consultation_export_rows(*, queryset: QuerySet[Consultation]) -> Iterator[list]:
    """The CSV export: a header row, then one row per request, read in
    chunks so a large export does not hold every row in memory. Times are
    Israel time; the request's free text stays out of the spreadsheet."""
    yield [
        _("Reference"),
        _("Submitted"),
        _("Organization"),
        _("Registration number"),
        _("Region"),
        _("Track"),
        _("Urgency"),
        _("Crisis"),
        _("Status"),
        _("Advisor"),
        _("First response due"),
        _("First responded"),
        _("Closed"),
        _("Contact person"),
        _("Email"),
        _("Preferred language"),
    ]

    def local(moment):
        return to_local(moment=moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = queryset.select_related("organization", "track", "advisor").order_by(
        "-is_crisis", "first_response_due_at", "pk"
    )
    for consultation in rows.iterator(chunk_size=2000):
        organization = consultation.organization
        advisor = consultation.advisor
        yield [
            consultation.reference,
            local(consultation.submitted_at),
            organization.name,
            organization.registration_number,
            organization.get_region_display(),
            str(consultation.track),
            consultation.get_urgency_display(),
            _("Yes") if consultation.is_crisis else _("No"),
            consultation.get_status_display(),
            display_name(advisor),
            local(consultation.first_response_due_at),
            local(consultation.first_responded_at),
            local(consultation.closed_at),
            consultation.contact_name,
            consultation.contact_email,
            consultation.get_preferred_language_display(),
        ]
