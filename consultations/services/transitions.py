"""Triage and the advisor's work: one service per status change.

Each service locks the request, checks the move against the table in
workflow.py, applies it with its history row and queues its emails in the
same transaction; the outbox delivers them after commit. Views, admin
actions and commands all call these functions, never `save()` on a status.

Every service refuses an actor who may not touch the request (staff, or the
advisor it is assigned to) with PermissionDenied, so a caller that forgot to
scope its query still cannot change someone else's work.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.emails import portal_url
from consultations.models import (
    AdvisorProfile,
    Consultation,
    ConsultationOutcome,
    OutboundEmail,
    StatusChange,
)
from consultations.models.outcomes import OUTCOME_NOTE_LENGTH
from consultations.services.access import ensure_may_work_on, ensure_staff
from consultations.services.engagement import BIDI_CONTROLS
from consultations.services.notices import (
    consultation_mark_first_response,
    format_local,
    notify_organization,
    staff_language,
    staff_reply_to,
    staff_summary,
    workspace_request_url,
)
from consultations.services.outbox import outbox_enqueue
from consultations.services.workflow import (
    allowed_next_statuses,
    apply_status_change,
    lock_consultation,
)
from consultations.services.workspace import clean_body
from shatil_portal.people import display_name

Status = Consultation.Status


def _guard(*, consultation: Consultation, to_status: str) -> None:
    """Refuse before anything changes; apply_status_change checks again."""
    if to_status not in allowed_next_statuses(consultation.status):
        raise ValidationError(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": Status(consultation.status).label,
                "to": Status(to_status).label,
            }
        )


def check_transition(*, consultation: Consultation, to_status: str) -> None:
    """Refuse a move the table does not allow, before a page asks for its
    note or outcome (the service checks again when it runs)."""
    _guard(consultation=consultation, to_status=to_status)


def _active_profile(*, advisor) -> AdvisorProfile:
    profile = (
        AdvisorProfile.objects.active()
        .select_for_update(of=("self",))
        .filter(user=advisor)
        .first()
    )
    if profile is None:
        raise ValidationError(_("Only an active advisor can be assigned a request."))
    return profile


def _organization_email(
    *, consultation: Consultation, kind: str, change: StatusChange, **context
) -> None:
    """The organization's email about a status change, once per change."""
    notify_organization(
        consultation=consultation,
        kind=kind,
        dedup_key=f"{kind}:{consultation.pk}:{change.pk}",
        **context,
    )


def _advisor_assigned_notice(*, consultation: Consultation, change: StatusChange):
    """Tell the organization who their advisor is and how they will be in touch."""
    _organization_email(
        consultation=consultation,
        kind=OutboundEmail.Kind.ADVISOR_ASSIGNED,
        change=change,
        advisor_first_name=consultation.advisor.first_name,
        contact_method=consultation.preferred_contact_method,
        contact_times=consultation.preferred_contact_times,
    )


def _assignment_to_advisor(*, consultation: Consultation, change: StatusChange):
    """Tell the advisor about the new request.

    A crisis request's notice carries only its reference and a link
    (DECISIONS.md, "People and permissions"); the details stay behind login.
    """
    advisor = consultation.advisor
    language = staff_language(user=advisor)
    context = {
        "advisor_first_name": advisor.first_name,
        "url": workspace_request_url(consultation=consultation, language=language),
        **staff_summary(
            consultation,
            language,
            # The organization as staff keep it, which a merge may rename.
            organization_name=consultation.organization.name,
            is_urgent=consultation.urgency == Consultation.Urgency.URGENT,
            due=format_local(
                moment=consultation.first_response_due_at, language=language
            ),
        ),
    }
    outbox_enqueue(
        kind=OutboundEmail.Kind.ASSIGNMENT_TO_ADVISOR,
        to_address=advisor.email,
        dedup_key=f"assignment:{consultation.pk}:{change.pk}",
        language=language,
        consultation=consultation,
        reply_to=staff_reply_to(consultation=consultation),
        context=context,
    )


def _set_advisor(*, consultation: Consultation, advisor) -> list[str]:
    profile = _active_profile(advisor=advisor)
    now = timezone.now()
    profile.last_assigned_at = now
    profile.save(update_fields=["last_assigned_at", "updated_at"])
    consultation.advisor = advisor
    return ["advisor", *consultation_mark_first_response(consultation=consultation)]


@transaction.atomic
def consultation_start_triage(
    *,
    consultation: Consultation,
    actor: AbstractBaseUser,
    expected_version: str | None = None,
) -> Consultation:
    """A coordinator takes a new request into review."""
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_staff(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.IN_TRIAGE)
    apply_status_change(
        consultation=consultation, to_status=Status.IN_TRIAGE, actor=actor
    )
    return consultation


@transaction.atomic
def consultation_assign_advisor(
    *,
    consultation: Consultation,
    advisor: AbstractBaseUser,
    actor: AbstractBaseUser,
    expected_version: str | None = None,
) -> Consultation:
    """Give a new or reviewed request to an active advisor.

    The organization learns the advisor's first name (the notice is its first
    response, and replies go to the advisor from now on); the advisor gets
    the request's reference and link.
    """
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_staff(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.ASSIGNED)
    update_fields = _set_advisor(consultation=consultation, advisor=advisor)
    change = apply_status_change(
        consultation=consultation,
        to_status=Status.ASSIGNED,
        actor=actor,
        extra_update_fields=tuple(update_fields),
    )
    _advisor_assigned_notice(consultation=consultation, change=change)
    _assignment_to_advisor(consultation=consultation, change=change)
    return consultation


@transaction.atomic
def consultation_reassign(
    *,
    consultation: Consultation,
    advisor: AbstractBaseUser,
    actor: AbstractBaseUser,
    expected_version: str | None = None,
) -> Consultation:
    """Move assigned work to another advisor, keeping its status.

    The history row keeps the status on both sides and names both advisors.
    Both the new advisor and the organization are told, since the
    organization's replies now reach someone else.
    """
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_staff(actor=actor, consultation=consultation)
    if consultation.status not in Consultation.ACTIVE_STATUSES:
        raise ValidationError(
            _("Only a request with an advisor can be reassigned; it is “%(status)s”.")
            % {"status": Status(consultation.status).label}
        )
    previous = consultation.advisor
    if previous is not None and previous.pk == advisor.pk:
        raise ValidationError(_("The request is already assigned to this advisor."))
    update_fields = _set_advisor(consultation=consultation, advisor=advisor)
    consultation.save(update_fields=[*update_fields, "updated_at"])
    change = StatusChange.objects.create(
        consultation=consultation,
        actor=actor,
        from_status=consultation.status,
        to_status=consultation.status,
        note=_("Reassigned from %(previous)s to %(advisor)s.")
        % {
            "previous": display_name(previous) or "—",
            "advisor": display_name(advisor),
        },
    )
    _advisor_assigned_notice(consultation=consultation, change=change)
    _assignment_to_advisor(consultation=consultation, change=change)
    return consultation


@transaction.atomic
def consultation_start_progress(
    *,
    consultation: Consultation,
    actor: AbstractBaseUser,
    expected_version: str | None = None,
) -> Consultation:
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_may_work_on(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.IN_PROGRESS)
    apply_status_change(
        consultation=consultation, to_status=Status.IN_PROGRESS, actor=actor
    )
    return consultation


@transaction.atomic
def consultation_wait_for_organization(
    *,
    consultation: Consultation,
    actor: AbstractBaseUser,
    note: str = "",
    expected_version: str | None = None,
) -> Consultation:
    """The advisor needs something from the organization, and says what in a
    note the organization reads: it is emailed to them now and shown on their
    status page. The follow-up jobs nudge them while the request waits."""
    note = clean_body(
        note,
        empty_message=_(
            "Write a note for the organization saying what the advisor is waiting for."
        ),
    )
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_may_work_on(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.WAITING_FOR_ORGANIZATION)
    change = apply_status_change(
        consultation=consultation,
        to_status=Status.WAITING_FOR_ORGANIZATION,
        actor=actor,
        note=note,
    )
    _organization_email(
        consultation=consultation,
        kind=OutboundEmail.Kind.WAITING_FOR_ORGANIZATION,
        change=change,
        note=note,
        advisor_first_name=(
            consultation.advisor.first_name if consultation.advisor_id else ""
        ),
        lost_link_url=portal_url(
            "consultations:lost_link", language=consultation.preferred_language
        ),
    )
    return consultation


def clean_outcome(*, outcome: str, outcome_note: str) -> tuple[str, str]:
    """The one rule of what completing a request records: an outcome from
    the list (“nothing yet” is an answer) and an optional short note."""
    if outcome not in ConsultationOutcome.Kind.values:
        raise ValidationError(
            _(
                "Choose what the consultation achieved before completing the "
                "request (“Nothing yet” is an answer too)."
            ),
            code="outcome",
        )
    outcome_note = BIDI_CONTROLS.sub("", outcome_note or "").strip()
    if len(outcome_note) > OUTCOME_NOTE_LENGTH:
        raise ValidationError(
            _("Keep the note on the outcome under %(limit)s characters.")
            % {"limit": OUTCOME_NOTE_LENGTH},
            code="outcome_note",
        )
    return outcome, outcome_note


@transaction.atomic
def consultation_complete(
    *,
    consultation: Consultation,
    actor: AbstractBaseUser,
    outcome: str = "",
    outcome_note: str = "",
    note: str = "",
    expected_version: str | None = None,
) -> Consultation:
    """Complete the request, recording what it achieved (`clean_outcome`)
    with who recorded it, beside the status change's history row."""
    outcome, outcome_note = clean_outcome(outcome=outcome, outcome_note=outcome_note)
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_may_work_on(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.COMPLETED)
    change = apply_status_change(
        consultation=consultation,
        to_status=Status.COMPLETED,
        actor=actor,
        note=note.strip(),
    )
    ConsultationOutcome.objects.create(
        consultation=consultation, kind=outcome, note=outcome_note, recorded_by=actor
    )
    _organization_email(
        consultation=consultation,
        kind=OutboundEmail.Kind.COMPLETED,
        change=change,
        advisor_first_name=(
            consultation.advisor.first_name if consultation.advisor_id else ""
        ),
        # The email invites a retaking when there was a first one (growth).
        checklist_taken=consultation.checklist_assessments.exists(),
    )
    return consultation


@transaction.atomic
def consultation_decline(
    *,
    consultation: Consultation,
    actor: AbstractBaseUser,
    note: str,
    expected_version: str | None = None,
) -> Consultation:
    """Decline with a note the organization reads; a decline answers the
    request, so it stops the first-response clock."""
    note = clean_body(
        note,
        empty_message=_("Write a note for the organization explaining the decision."),
    )
    consultation = lock_consultation(consultation.pk, expected_version=expected_version)
    ensure_may_work_on(actor=actor, consultation=consultation)
    _guard(consultation=consultation, to_status=Status.DECLINED)
    change = apply_status_change(
        consultation=consultation,
        to_status=Status.DECLINED,
        actor=actor,
        note=note,
        extra_update_fields=tuple(
            consultation_mark_first_response(consultation=consultation)
        ),
    )
    _organization_email(
        consultation=consultation,
        kind=OutboundEmail.Kind.DECLINED,
        change=change,
        note=note,
        # "Reply to this email" reaches the person who made the decision.
        declined_by=actor,
    )
    return consultation


# What the workspace and the admin offer as status buttons, and the service
# behind each. Assignment needs an advisor and withdrawal is the requester's,
# so neither is a plain button.
STATUS_SERVICES = {
    Status.IN_TRIAGE: consultation_start_triage,
    Status.IN_PROGRESS: consultation_start_progress,
    Status.WAITING_FOR_ORGANIZATION: consultation_wait_for_organization,
    Status.COMPLETED: consultation_complete,
    Status.DECLINED: consultation_decline,
}
ACCEPTS_NOTE = frozenset(
    {Status.WAITING_FOR_ORGANIZATION, Status.COMPLETED, Status.DECLINED}
)
NEEDS_NOTE = frozenset({Status.WAITING_FOR_ORGANIZATION, Status.DECLINED})


def status_actions_for(*, user, consultation: Consultation) -> list[str]:
    """The statuses `user` may move the request to, in the table's order."""
    allowed = allowed_next_statuses(consultation.status)
    return [
        status
        for status in Status.values
        if status in allowed
        and status in STATUS_SERVICES
        and (user.is_staff or status != Status.IN_TRIAGE)
    ]


def consultation_change_status(
    *,
    consultation: Consultation,
    to_status: str,
    actor: AbstractBaseUser,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
    expected_version: str | None = None,
) -> Consultation:
    """Dispatch a status button to its service; completing passes the
    outcome on (and is refused without one)."""
    service = STATUS_SERVICES.get(to_status)
    if service is None:
        raise ValidationError(_("This status cannot be set here."))
    extra = {"note": note} if to_status in ACCEPTS_NOTE else {}
    if to_status == Status.COMPLETED:
        extra |= {"outcome": outcome, "outcome_note": outcome_note}
    return service(
        consultation=consultation,
        actor=actor,
        expected_version=expected_version,
        **extra,
    )
