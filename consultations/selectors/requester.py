"""Reads for the organization's pages: the request form's catalog, the
confirmation, and the private status page (found by its token)."""

import hashlib
import hmac
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import (
    Attachment,
    CoalitionMember,
    Consultation,
    DeletionRequest,
    Message,
    Organization,
    Region,
    StatusChange,
)
from consultations.selectors.checklist import policy_tools_active
from shatil_portal.caching import cached_fragment
from tracks.models import AdjacentArea, Track, TrackFormat
from tracks.selectors import adjacent_area_list_active, track_list_active

Status = Consultation.Status


def status_token_hash(token: str) -> str:
    """What is stored of a private-link token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


# The timeline in the requester's words rather than the staff's.
REQUESTER_STATUS_LABELS = {
    Status.NEW: gettext_lazy("Request received."),
    Status.IN_TRIAGE: gettext_lazy("A coordinator is reviewing the request."),
    Status.ASSIGNED: gettext_lazy("An advisor was assigned."),
    Status.IN_PROGRESS: gettext_lazy("The consultation is in progress."),
    Status.WAITING_FOR_ORGANIZATION: gettext_lazy(
        "The advisor is waiting for your reply."
    ),
    Status.COMPLETED: gettext_lazy("The consultation was completed."),
    Status.DECLINED: gettext_lazy("The request was declined."),
    Status.WITHDRAWN: gettext_lazy("You withdrew the request."),
}

# The history rows that are not moves, in the requester's words.
REQUESTER_EVENT_LABELS = {
    StatusChange.Event.CONTACT_CORRECTED: gettext_lazy(
        "You corrected your contact details."
    ),
    StatusChange.Event.MEMBER_REMOVED: gettext_lazy(
        "A member organization said it was listed by mistake and was removed."
    ),
    StatusChange.Event.DELETION_REQUESTED: gettext_lazy(
        "You asked for your data to be deleted."
    ),
    StatusChange.Event.DELETION_REFUSED: gettext_lazy(
        "Your request to delete your data was refused."
    ),
}

# token_urlsafe(32) gives 43 characters; anything else is not a token.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


@dataclass(frozen=True)
class RequestFormCatalog:
    """The active tracks (with their formats) and adjacent areas the form
    offers, loaded once per request."""

    tracks: list[Track]
    adjacent_areas: list[AdjacentArea]
    # The checklist's tools, for its optional section (issue 18).
    policy_tools: tuple = ()


def request_form_catalog() -> RequestFormCatalog:
    """The form's catalog, from the catalog cache (invalidated with it): the
    form is built on every GET and POST, and the catalog changes only when
    staff edit it."""
    return cached_fragment("request-form-catalog", _request_form_catalog_load)


def _request_form_catalog_load() -> RequestFormCatalog:
    tracks = track_list_active().prefetch_related(
        Prefetch("formats", queryset=TrackFormat.objects.order_by("order", "pk"))
    )
    return RequestFormCatalog(
        tracks=list(tracks),
        adjacent_areas=list(adjacent_area_list_active()),
        policy_tools=tuple(policy_tools_active()),
    )


def active_track_slugs() -> frozenset[str]:
    """The slugs of the tracks the request form offers, from the catalog
    cache (invalidated with it)."""
    return cached_fragment(
        "active-track-slugs",
        lambda: frozenset(track_list_active().values_list("slug", flat=True)),
    )


def consultation_get_for_confirmation(*, consultation_id: int) -> Consultation | None:
    return (
        Consultation.objects.select_related("track")
        .filter(pk=consultation_id, anonymized_at__isnull=True)
        .first()
    )


STATUS_PAGE_DEFERRED = [
    f"{relation}__{field}{suffix}"
    for relation, fields in (
        ("track", ("summary", "description")),
        ("track_format", ("description",)),
    )
    for field in fields
    for suffix in ("", *(f"_{code}" for code, _name in settings.LANGUAGES))
] + ["advisor__password"]


@memoize
def _status_page_version_sql() -> str:
    """The one query that finds the request of a token and reads the version
    of everything its status page shows (PostgreSQL: the row as text)."""
    table = Consultation._meta.db_table
    user_table = get_user_model()._meta.db_table

    def rows(model, link: str = "consultation_id") -> str:
        # A count and the last id: moves on when a row is added or removed.
        # These rows are not edited while the request's data is kept
        # (anonymization, which erases them, also hides the page).
        return (
            f"(SELECT count(*) || ':' || coalesce(max(id), 0) "
            f"FROM {model._meta.db_table} WHERE {link} = c.id)"
        )

    members = CoalitionMember._meta.db_table
    deletions = DeletionRequest._meta.db_table
    return (
        "SELECT c.status_token_hash, md5(c::text), u.first_name, "
        f"{rows(StatusChange)}, {rows(Message)}, {rows(Attachment)}, "
        f"{rows(CoalitionMember)}, "
        f"(SELECT max(updated_at) FROM {members} WHERE consultation_id = c.id), "
        f"{rows(Consultation.adjacent_areas.through)}, "
        f"(SELECT max(due_at) FROM {deletions} "
        "WHERE consultation_id = c.id AND status = %s) "
        f"FROM {table} c LEFT JOIN {user_table} u ON u.id = c.advisor_id "
        "WHERE c.status_token_hash = %s AND c.anonymized_at IS NULL LIMIT 1"
    )


def status_page_version(*, token: str) -> str | None:
    """The version of everything the status page of `token` shows, in one
    query, or None when there is no page to serve from the cache (unknown
    token, anonymized request, or a database other than PostgreSQL).

    A digest of: every value of the request's row (its status, advisor,
    dates, contact details, first response...), the advisor's first name, a
    marker of each list the page shows (history, messages, files, coalition
    members, adjacent areas) and the answer due on a deletion request that
    waits. So every change a service makes to what the page shows moves it
    on, with no service having to remember to: the rule is here, beside
    what the page reads. (The catalog's titles are keyed apart, by the
    catalog's version; a staff member's first name on an older message or
    file shows once the cached page expires.)"""
    if connection.vendor != "postgresql" or not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    digest = status_token_hash(token)
    with connection.cursor() as cursor:
        cursor.execute(
            _status_page_version_sql(), [DeletionRequest.Status.PENDING, digest]
        )
        row = cursor.fetchone()
    if row is None or not hmac.compare_digest(row[0], digest):
        return None
    return hashlib.sha256(repr(row[1:]).encode()).hexdigest()[:32]


def consultation_get_by_status_token(*, token: str) -> Consultation | None:
    """The request whose private link carries `token`, with everything its
    status page shows; None for an unknown token or an anonymized request."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    digest = status_token_hash(token)
    consultation = (
        Consultation.objects.select_related("track", "track_format", "advisor")
        # The catalog's long texts and the advisor's password hash: never
        # shown on these pages, and a third of the row's columns.
        .defer(*STATUS_PAGE_DEFERRED)
        .prefetch_related(
            Prefetch("adjacent_areas", queryset=AdjacentArea.objects.order_by("order")),
            "coalition_members",
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.order_by("created_at", "pk"),
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .filter(status_token_hash=digest, anonymized_at__isnull=True)
        # The answer due on a deletion request that waits, for the page's
        # "your data" section, in the same query.
        .annotate(
            pending_deletion_due_at=Subquery(
                DeletionRequest.objects.filter(
                    consultation=OuterRef("pk"),
                    status=DeletionRequest.Status.PENDING,
                ).values("due_at")[:1]
            )
        )
        .first()
    )
    # The indexed lookup finds the row; the comparison that decides is
    # constant-time.
    if consultation is None or not hmac.compare_digest(
        consultation.status_token_hash, digest
    ):
        return None
    return consultation


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    status: str
    label: str
    # What the advisor asked for, when the request waits for the organization.
    note: str = ""
    # A row that records something other than a move (StatusChange.event).
    is_event: bool = False


def current_status_label(timeline: list[TimelineEntry]) -> str:
    """The status page's "Status:": the latest move's words, not an event's."""
    moves = [entry for entry in timeline if not entry.is_event]
    return moves[-1].label if moves else ""


def status_timeline(*, consultation: Consultation) -> list[TimelineEntry]:
    """The request's history told to the requester, in the active language.

    Staff notes stay internal, except the note that says what a waiting
    request waits for; the advisor appears by first name only, on the
    latest assignment.
    """
    changes = list(consultation.status_changes.all())
    last_assignment = next(
        (
            change
            for change in reversed(changes)
            if change.to_status == Consultation.Status.ASSIGNED and not change.event
        ),
        None,
    )
    advisor_first_name = (
        consultation.advisor.first_name if consultation.advisor_id else ""
    )
    entries = []
    for change in changes:
        if change.event:
            # A refusal's reason is written for the organization (and
            # emailed to it); other notes of these rows stay internal.
            entries.append(
                TimelineEntry(
                    at=change.created_at,
                    status=change.to_status,
                    label=str(REQUESTER_EVENT_LABELS.get(change.event, "")),
                    note=change.note
                    if change.event == StatusChange.Event.DELETION_REFUSED
                    else "",
                    is_event=True,
                )
            )
            continue
        if change is last_assignment and advisor_first_name:
            label = _("An advisor was assigned: %(first_name)s.") % {
                "first_name": advisor_first_name
            }
        else:
            label = str(REQUESTER_STATUS_LABELS.get(change.to_status, ""))
        # Only a wait's note is written for the organization (the service
        # requires it and emails it); other notes stay internal.
        note = (
            change.note
            if change.to_status == Consultation.Status.WAITING_FOR_ORGANIZATION
            and change.from_status != Consultation.Status.WAITING_FOR_ORGANIZATION
            else ""
        )
        entries.append(
            TimelineEntry(
                at=change.created_at, status=change.to_status, label=label, note=note
            )
        )
    return entries


def _choice_label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def submitted_data_sections(
    *, consultation: Consultation
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The personal data the requester gave, as they can see it under
    Israel's Privacy Protection Law: the organization as they typed it, the
    contact details held on the request, the request itself and the consent.
    Empty answers are left out."""
    organization = consultation.organization_as_submitted
    sections = [
        (
            _("Organization"),
            [
                (_("Name"), organization.get("name", "")),
                (
                    _("Kind"),
                    _choice_label(Organization.Kind.choices, organization.get("kind")),
                ),
                (_("Registration number"), organization.get("registration_number")),
                (
                    _("Region"),
                    _choice_label(Region.choices, organization.get("region")),
                ),
                (_("Locality"), organization.get("locality")),
                (_("Website"), organization.get("website")),
                (
                    _("Paid staff"),
                    _choice_label(
                        Organization.Size.choices, organization.get("staff_size")
                    ),
                ),
                (
                    _("Volunteers"),
                    _choice_label(
                        Organization.Size.choices, organization.get("volunteer_size")
                    ),
                ),
                (_("Population served"), organization.get("population_served")),
            ],
        ),
        (
            _("Contact person"),
            [
                (_("Full name"), consultation.contact_name),
                (_("Role"), consultation.contact_role),
                (_("Email"), consultation.contact_email),
                (
                    _("Phone"),
                    consultation.contact_phone.as_international
                    if consultation.contact_phone
                    else "",
                ),
                (
                    _("Preferred language"),
                    consultation.get_preferred_language_display(),
                ),
                (
                    _("Preferred way to be reached"),
                    consultation.get_preferred_contact_method_display(),
                ),
                (_("Good times to reach you"), consultation.preferred_contact_times),
            ],
        ),
        (
            _("The request"),
            [
                (_("Consulting track"), consultation.track.title),
                (
                    _("Format"),
                    consultation.track_format.title
                    if consultation.track_format
                    else "",
                ),
                (
                    _("Adjacent areas"),
                    ", ".join(area.title for area in consultation.adjacent_areas.all()),
                ),
                (
                    _("Coalition members"),
                    "; ".join(
                        f"{member.name} <{member.contact_email}>"
                        if member.contact_email
                        else member.name
                        for member in consultation.coalition_members.all()
                    ),
                ),
                (_("Goal"), consultation.goal),
                (_("Background and what was tried"), consultation.background),
                (_("Deadlines or events"), consultation.timing),
                (_("Urgency"), consultation.get_urgency_display()),
            ],
        ),
    ]
    return [
        (title, [(label, value) for label, value in rows if value])
        for title, rows in sections
    ]


def coalition_member_get_by_notice_token(*, token: str) -> CoalitionMember | None:
    """The member organization whose notice carried `token`, with its
    request; None for an unknown token, a member already removed, or an
    anonymized request."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    digest = status_token_hash(token)
    member = (
        CoalitionMember.objects.select_related("consultation")
        .filter(notice_token_hash=digest, consultation__anonymized_at__isnull=True)
        .first()
    )
    if member is None or not hmac.compare_digest(member.notice_token_hash, digest):
        return None
    return member


def deletion_request_pending(*, consultation: Consultation) -> DeletionRequest | None:
    return consultation.deletion_requests.filter(
        status=DeletionRequest.Status.PENDING
    ).first()


EXPORT_FORMAT_VERSION = 1


def consultation_export_data(*, consultation: Consultation) -> dict:
    """Everything the organization gave on its request, as data: the
    organization and contact details, the request, the coalition members,
    its messages and the list of its files (their content goes beside, in
    the ZIP). Values as stored, labels in the active language; a constant
    number of queries."""
    files = [
        {
            "name": attachment.name,
            "path_in_archive": f"files/{index}-{attachment.name}",
            "size": attachment.size,
            "content_type": attachment.content_type,
            "sent_at": attachment.created_at.isoformat(),
        }
        for index, attachment in enumerate(_organization_attachments(consultation), 1)
    ]
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "reference": consultation.reference,
        "submitted_at": consultation.submitted_at.isoformat(),
        "status": consultation.status,
        "status_label": str(consultation.get_status_display()),
        "organization": consultation.organization_as_submitted,
        "contact": {
            "name": consultation.contact_name,
            "role": consultation.contact_role,
            "email": consultation.contact_email,
            "phone": consultation.contact_phone.as_e164
            if consultation.contact_phone
            else "",
            "preferred_language": consultation.preferred_language,
            "preferred_contact_method": consultation.preferred_contact_method,
            "preferred_contact_times": consultation.preferred_contact_times,
        },
        "request": {
            "track": consultation.track.slug,
            "track_title": consultation.track.title,
            "format": consultation.track_format.title
            if consultation.track_format
            else "",
            "adjacent_areas": [area.slug for area in consultation.adjacent_areas.all()],
            "goal": consultation.goal,
            "background": consultation.background,
            "timing": consultation.timing,
            "urgency": consultation.urgency,
        },
        "coalition_members": [
            {"name": member.name, "contact_email": member.contact_email}
            for member in consultation.coalition_members.all()
        ],
        "messages_you_sent": [
            {"sent_at": message.created_at.isoformat(), "body": message.body}
            for message in consultation.messages.all()
            if message.direction == Message.Direction.FROM_ORGANIZATION
        ],
        "consent": {
            "given_at": consultation.consent_given_at.isoformat(),
            "privacy_policy_version": consultation.privacy_policy_version,
        },
        "files": files,
    }


def _organization_attachments(consultation: Consultation) -> list[Attachment]:
    return list(
        Attachment.objects.filter(
            consultation=consultation,
            sender__in=[
                Attachment.Sender.ORGANIZATION,
                Attachment.Sender.INBOUND_MAIL,
            ],
        ).order_by("created_at", "pk")
    )


def consultation_export_zip(*, consultation: Consultation) -> bytes:
    """The organization's data as a ZIP: data.json and, under files/, each
    file it sent (read from the private storage)."""
    data = consultation_export_data(consultation=consultation)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        )
        attachments = _organization_attachments(consultation)
        for entry, attachment in zip(data["files"], attachments, strict=True):
            try:
                with attachment.file.open("rb") as stored:
                    archive.writestr(entry["path_in_archive"], stored.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()
