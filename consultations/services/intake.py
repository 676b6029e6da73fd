"""Request intake: one submission of the public form becomes a request.

`consultation_submit` writes the organization (found by its registration
number, or created), the request with its reference and response clock, its
first history row and its two outbox rows in one transaction. Emails leave
only after commit, through the outbox, so nothing here talks to a mail server
or waits for the broker.
"""

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from consultations.models import (
    CoalitionMember,
    Consultation,
    Organization,
    OutboundEmail,
    ReferenceSequence,
    StatusChange,
)
from consultations.selectors.followups import (
    first_response_due_at,
    response_policy_table,
)
from consultations.selectors.requester import status_token_hash
from consultations.services.notices import (
    coalition_member_notice_draft,
    organization_draft,
    region_label,
    response_promise_context,
    staff_language,
    staff_request_url,
    staff_summary,
    status_url,
    track_title,
)
from consultations.services.outbox import EmailDraft, outbox_enqueue_new
from consultations.validators import validate_phone_number
from tracks.models import AdjacentArea, Track, TrackFormat

STATUS_TOKEN_BYTES = 32


@dataclass(frozen=True, kw_only=True)
class OrganizationDetails:
    """The organization as the requester described it."""

    name: str
    kind: str
    region: str
    registration_number: str = ""
    locality: str = ""
    website: str = ""
    staff_size: str = ""
    volunteer_size: str = ""
    population_served: str = ""


@dataclass(frozen=True, kw_only=True)
class ContactDetails:
    name: str
    email: str
    role: str = ""
    # As the form field parsed it, or "" when none was given; stored E.164.
    phone: PhoneNumber | str = ""
    preferred_language: str = "he"
    preferred_contact_method: str = Consultation.ContactMethod.EMAIL
    preferred_contact_times: str = ""


@dataclass(frozen=True, kw_only=True)
class CoalitionMemberDetails:
    name: str
    contact_email: str = ""


def status_token_new() -> tuple[str, str]:
    """A fresh private-link token and the hash that is stored in its place."""
    token = secrets.token_urlsafe(STATUS_TOKEN_BYTES)
    return token, status_token_hash(token)


def phone_to_e164(phone) -> str:
    """The contact's phone as an E.164 string, or "" when none was given.

    The model field's own check knows only the ranges in the phonenumbers
    metadata and stores what was typed for any other number; the portal's
    rule also takes new Israeli mobile ranges, so the service checks it and
    hands the model the E.164 form.
    """
    if not phone:
        return ""
    number = to_python(phone, region="IL")
    validate_phone_number(number)
    return number.as_e164


def reference_assign(*, consultation: Consultation) -> None:
    """Give a request just inserted the next reference of its year, e.g.
    SH-2026-00042 (at least five digits; more past 99,999).

    On PostgreSQL the number comes from the year's own sequence
    (`consultations_reference_next`, migration 0106): no row is locked, so
    concurrent submissions never wait on each other, and a rolled-back
    submission (or a repeated one-time key) leaves a gap in the year's
    numbers, which DECISIONS.md allows (the README says so). One
    statement takes the number and writes the reference. SQLite (`make
    run`, one writer at a time anyway) counts in the year's
    `ReferenceSequence` row.
    """
    year = timezone.localdate(consultation.submitted_at).year
    prefix = f"SH-{year}-"
    if connection.vendor != "postgresql":
        sequence, _created = ReferenceSequence.objects.get_or_create(year=year)
        sequence = ReferenceSequence.objects.select_for_update().get(pk=sequence.pk)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
        consultation.reference = f"{prefix}{sequence.last_number:05d}"
        consultation.save(update_fields=["reference"])
        return
    requests = connection.ops.quote_name(Consultation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {requests} SET reference = %s || lpad("
            # At least five digits, as f"{number:05d}" writes them.
            f"next.number::text, greatest(5, length(next.number::text)), '0'"
            f") FROM (SELECT consultations_reference_next(%s) AS number) AS next "
            f"WHERE {requests}.id = %s RETURNING {requests}.reference",
            [prefix, year, consultation.pk],
        )
        (consultation.reference,) = cursor.fetchone()


def _reference_sequence_name(year: int) -> str:
    return f"consultations_reference_{int(year)}"


def reference_counter_set(*, year: int, last_number: int) -> None:
    """The year's next reference will be `last_number + 1` (seeding and
    imports only: never lower it below a number in use)."""
    ReferenceSequence.objects.update_or_create(
        year=year, defaults={"last_number": last_number}
    )
    if connection.vendor == "postgresql":
        name = _reference_sequence_name(year)
        with connection.cursor() as cursor:
            # Moved only if it exists (setval of NULL does nothing); else
            # the year's first request starts it after the row.
            cursor.execute(
                "SELECT setval(to_regclass(%s), greatest(%s, 1), %s)",
                [name, last_number, last_number > 0],
            )


def reference_counter_last(*, year: int) -> int:
    """The last reference number taken in the year (0 for none), gaps
    included."""
    if connection.vendor == "postgresql":
        name = _reference_sequence_name(year)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_value FROM pg_sequences WHERE sequencename = %s", [name]
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0] or 0
    counter = ReferenceSequence.objects.filter(year=year).first()
    return counter.last_number if counter is not None else 0


def reference_placeholder() -> str:
    """A unique stand-in for the reference until `reference_assign` is
    called, just before the transaction ends (the field holds 20
    characters)."""
    return f"TMP-{uuid.uuid4().hex[:16]}"


def organization_for_submission(*, details: OrganizationDetails) -> Organization:
    """The stored organization with this registration number, never edited
    by the public form, or a new one (DECISIONS.md)."""
    number = details.registration_number
    if number:
        existing = Organization.objects.filter(registration_number=number).first()
        if existing is not None:
            return existing
    organization = Organization(**asdict(details))
    # The number was looked up above; the database's conditional unique
    # constraint still guards a concurrent first request (below).
    organization.full_clean(validate_unique=False, validate_constraints=False)
    if not number:
        # Only a registration number is unique: nothing can collide.
        organization.save()
        return organization
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        # The same organization's first request, submitted at the same moment
        # by someone else, created it first.
        return Organization.objects.get(registration_number=number)
    return organization


def consultation_submit(
    *,
    submission_key: uuid.UUID,
    organization: OrganizationDetails,
    contact: ContactDetails,
    track: Track,
    track_format: TrackFormat | None = None,
    adjacent_areas: Sequence[AdjacentArea] = (),
    goal: str,
    background: str = "",
    timing: str = "",
    urgency: str = Consultation.Urgency.NORMAL,
    coalition_members: Sequence[CoalitionMemberDetails] = (),
    consent: bool,
    also: Callable[[Consultation], None] | None = None,
) -> tuple[Consultation, str]:
    """Save a new request and queue its emails in one transaction; return
    it with the raw status token, which exists only here and in the
    confirmation email. `also(consultation)` runs inside that transaction,
    after the request is saved (its files, say).

    A repeated submission key returns the request it created, with an empty
    token, and creates nothing (`also` is not called, or rolled back).
    """
    if not consent:
        raise ValidationError(_("Consent to the privacy policy is required."))
    if track_format is not None and track_format.track_id != track.pk:
        raise ValidationError(_("This format does not belong to the chosen track."))
    if track.involves_several_organizations and not coalition_members:
        raise ValidationError(_("List at least one member organization."))

    # The response policies, read once (from the cache, outside the
    # transaction) for the deadline and both emails' promise.
    policies = response_policy_table()
    consultation, token = _consultation_new(
        policies=policies,
        submission_key=submission_key,
        organization=organization,
        contact=contact,
        track=track,
        track_format=track_format,
        goal=goal,
        background=background,
        timing=timing,
        urgency=urgency,
    )
    members = [
        CoalitionMember(name=member.name, contact_email=member.contact_email)
        for member in coalition_members
        if track.involves_several_organizations
    ]
    for member in members:
        member.full_clean(exclude=["consultation"])
    try:
        with transaction.atomic():
            _consultation_save(
                consultation=consultation,
                organization=organization,
                adjacent_areas=adjacent_areas,
                coalition_members=members,
                token=token,
                policies=policies,
            )
            if also is not None:
                also(consultation)
    except IntegrityError:
        # The unique submission key refused a repeated post (a double click,
        # a reload, even one racing the first on another worker): everything
        # this attempt wrote is rolled back, and the first request answers.
        existing = Consultation.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing, ""
    return consultation, token


def _consultation_new(
    *,
    policies: dict,
    submission_key: uuid.UUID,
    organization: OrganizationDetails,
    contact: ContactDetails,
    track: Track,
    track_format: TrackFormat | None,
    goal: str,
    background: str,
    timing: str,
    urgency: str,
) -> tuple[Consultation, str]:
    """The request as it will be saved, checked, with its raw status token;
    built before the transaction opens, which then only writes."""
    now = timezone.now()
    is_crisis = track.is_time_sensitive
    if is_crisis:
        urgency = Consultation.Urgency.URGENT
    token, token_hash = status_token_new()
    consultation = Consultation(
        # The reference is taken at the end of the transaction
        # (`reference_assign`): on SQLite the year's counter row stays locked
        # only from then until the commit.
        reference=reference_placeholder(),
        organization_as_submitted=asdict(organization),
        track=track,
        track_format=track_format,
        goal=goal,
        background=background,
        timing=timing,
        urgency=urgency,
        is_crisis=is_crisis,
        status=Consultation.Status.NEW,
        contact_name=contact.name,
        contact_role=contact.role,
        contact_email=contact.email,
        contact_phone=phone_to_e164(contact.phone),
        preferred_language=contact.preferred_language,
        preferred_contact_method=contact.preferred_contact_method,
        preferred_contact_times=contact.preferred_contact_times,
        consent_given_at=now,
        privacy_policy_version=settings.PRIVACY_POLICY_VERSION,
        submission_key=submission_key,
        status_token_hash=token_hash,
        submitted_at=now,
        first_response_due_at=first_response_due_at(
            submitted_at=now,
            is_urgent=urgency == Consultation.Urgency.URGENT,
            is_crisis=is_crisis,
            track=track,
            table=policies,
        ),
    )
    # The unique fields are generated here (reference, random token) or
    # guarded by the database (submission key). The track and format are
    # instances in hand, and the organization is found or created in the
    # transaction: no lookups.
    consultation.full_clean(
        exclude=["contact_phone", "organization", "track", "track_format"],
        validate_unique=False,
    )
    return consultation, token


def _consultation_save(
    *,
    consultation: Consultation,
    organization: OrganizationDetails,
    adjacent_areas: Sequence[AdjacentArea],
    coalition_members: list[CoalitionMember],
    token: str,
    policies: dict,
) -> None:
    consultation.organization = organization_for_submission(details=organization)
    consultation.save()
    if adjacent_areas:
        consultation.adjacent_areas.add(*adjacent_areas)
    member_tokens = {}
    if coalition_members:
        for member in coalition_members:
            member.consultation = consultation
            if member.contact_email:
                member_token, member.notice_token_hash = status_token_new()
                member_tokens[id(member)] = member_token
        CoalitionMember.objects.bulk_create(coalition_members)
    StatusChange.objects.create(
        consultation=consultation,
        from_status="",
        to_status=Consultation.Status.NEW,
    )
    reference_assign(consultation=consultation)
    outbox_enqueue_new(
        drafts=[
            _confirmation_draft(
                consultation=consultation, token=token, policies=policies
            ),
            _staff_notification_draft(consultation=consultation, policies=policies),
            # Each member with an email is told who listed it.
            *(
                coalition_member_notice_draft(
                    consultation=consultation,
                    member=member,
                    token=member_tokens[id(member)],
                )
                for member in coalition_members
                if id(member) in member_tokens
            ),
        ]
    )


def _confirmation_draft(
    *, consultation: Consultation, token: str, policies: dict
) -> EmailDraft:
    language = consultation.preferred_language
    return organization_draft(
        consultation=consultation,
        kind=OutboundEmail.Kind.CONFIRMATION,
        dedup_key=f"confirmation:{consultation.pk}",
        track_title=track_title(track=consultation.track, language=language),
        **response_promise_context(
            consultation=consultation, language=language, policies=policies
        ),
        secret_status_url=status_url(token=token, language=language),
    )


def _staff_notification_draft(
    *, consultation: Consultation, policies: dict
) -> EmailDraft:
    language = staff_language()
    context = {
        "staff_url": staff_request_url(consultation=consultation, language=language),
        **response_promise_context(
            consultation=consultation, language=language, policies=policies
        ),
        **staff_summary(
            consultation,
            language,
            region=region_label(consultation=consultation, language=language),
        ),
    }
    return EmailDraft(
        kind=OutboundEmail.Kind.STAFF_NEW_REQUEST,
        to_address=settings.STAFF_INBOX_EMAIL,
        dedup_key=f"staff_new_request:{consultation.pk}",
        language=language,
        consultation=consultation,
        context=context,
    )
