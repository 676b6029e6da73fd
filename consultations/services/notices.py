"""Shared pieces of every email about a request: the one way to email the
organization (`notify_organization`), what an email to staff may say
(`staff_summary`), who the organization replies to, the links and texts the
emails carry, and the first-response clock.

Each helper runs inside the caller's transaction; the emails themselves are
outbox rows (services/outbox.py).
"""

from django.conf import settings
from django.utils import formats, timezone, translation

from consultations.business_time import to_local
from consultations.emails import portal_url
from consultations.inbound import new_reply_token, reply_address
from consultations.models import (
    AdvisorProfile,
    CoalitionMember,
    Consultation,
    OutboundEmail,
    Region,
)
from consultations.selectors.followups import response_policy_for_consultation
from consultations.services.dashboard_counts import daily_counts_request_changed
from consultations.services.outbox import EmailDraft, outbox_enqueue
from tracks.models import Track


def inbound_configured() -> bool:
    """Whether replies by email come back into the portal: a reply domain
    and a mailbox to read are both set (settings INBOUND_*)."""
    return bool(settings.INBOUND_REPLY_DOMAIN and settings.INBOUND_MAILBOX)


def consultation_reply_address(*, consultation: Consultation) -> str:
    """The request's own reply address, reply+<token>@INBOUND_REPLY_DOMAIN,
    its token made on first use (within the caller's transaction); "" while
    intake is not configured, and for an anonymized request (its token was
    revoked)."""
    if not inbound_configured() or consultation.anonymized_at is not None:
        return ""
    if not consultation.reply_token:
        token = new_reply_token()
        made = Consultation.objects.filter(
            pk=consultation.pk, reply_token__isnull=True
        ).update(reply_token=token)
        # Another email may have made it meanwhile: that one stays.
        consultation.reply_token = (
            token
            if made
            else Consultation.objects.values_list("reply_token", flat=True).get(
                pk=consultation.pk
            )
        )
        if not consultation.reply_token:
            return ""
    return reply_address(consultation.reply_token, settings.INBOUND_REPLY_DOMAIN)


def consultation_reply_to(
    *, consultation: Consultation, declined_by=None, to_staff: bool = False
) -> str:
    """Where a reply to an email about `consultation` goes (DECISIONS.md,
    "Email"): the one function for every email, to the organization and
    (`to_staff`) to the advisor or staff.

    With intake configured, the request's reply address, so that the reply
    comes back into the request. Until then: an email to staff has none
    (their reply goes to the portal's sender); a decline notice goes back
    to whoever declined (`declined_by`); any other email to the active
    assigned advisor (the account and the advisor profile both active),
    else to the staff inbox, so that no reply reaches someone who no longer
    works on the request.
    """
    address = consultation_reply_address(consultation=consultation)
    if address or to_staff:
        return address
    if declined_by is not None and declined_by.is_active and declined_by.email:
        return declined_by.email
    advisor = consultation.advisor if consultation.advisor_id else None
    if (
        advisor is not None
        and advisor.email
        and AdvisorProfile.objects.active().filter(user=advisor).exists()
    ):
        return advisor.email
    return settings.STAFF_INBOX_EMAIL


def staff_reply_to(*, consultation: Consultation) -> str:
    """The Reply-To of an email to the advisor or staff about
    `consultation` (`consultation_reply_to`'s answer for staff)."""
    return consultation_reply_to(consultation=consultation, to_staff=True)


def staff_language(*, user=None) -> str:
    """The language of an email to staff and of the links it carries: the
    one place that decides it. An advisor's own language (their profile's
    `preferred_language`) when `user` has an advisor profile; else the
    organization's, settings.LANGUAGE_CODE (Hebrew), for the staff inbox and
    coordinators. Never the requester's language, nor the language active
    while the email is built (a request sent from /ar/ is still read by
    Hebrew-speaking staff)."""
    if user is not None:
        language = (
            AdvisorProfile.objects.filter(user=user)
            .values_list("preferred_language", flat=True)
            .first()
        )
        if language:
            return language
    return settings.LANGUAGE_CODE


def workspace_request_url(*, consultation: Consultation, language: str) -> str:
    """The absolute link to the request's workspace page in `language`."""
    return portal_url("workspace:request_detail", language=language, pk=consultation.pk)


def format_local(*, moment, language: str) -> str:
    """A date and time in Israel time, written the way `language` writes it."""
    with translation.override(language):
        return formats.date_format(to_local(moment=moment), "DATETIME_FORMAT")


def consultation_mark_first_response(*, consultation: Consultation) -> list[str]:
    """Start the clock's stop: the first human contact with the organization.

    Returns the fields to save, empty when the request was answered before.
    """
    if consultation.first_responded_at is not None:
        return []
    consultation.first_responded_at = timezone.now()
    # The dashboard's stored response times hold each request's answer.
    daily_counts_request_changed(consultation=consultation)
    return ["first_responded_at"]


def status_url(*, token: str, language: str) -> str:
    """The absolute private link, in `language`, for an email."""
    return portal_url("consultations:request_status", language=language, token=token)


def staff_request_url(*, consultation: Consultation, language: str) -> str:
    """Where staff open the request: its admin page in `language`
    (`staff_language`'s), whatever language is active."""
    return portal_url(
        "admin:consultations_consultation_change",
        language=language,
        object_id=consultation.pk,
    )


def track_title(*, track: Track, language: str) -> str:
    """The track's title in `language`, whatever language is active."""
    return getattr(track, f"title_{language}", "") or track.title


def response_promise_context(
    *, consultation: Consultation, language: str, policies=None
) -> dict:
    """The response clock in words the email can show in `language`: the
    number of business days from the request's response policy (the one
    its stored deadline was computed with) and the deadline's date.
    `policies`: `response_policy_table()`, when the caller has it already."""
    with translation.override(language):
        due = formats.date_format(
            timezone.localtime(consultation.first_response_due_at), "DATE_FORMAT"
        )
    policy = response_policy_for_consultation(consultation=consultation, table=policies)
    return {
        "is_urgent": consultation.urgency == Consultation.Urgency.URGENT,
        "is_crisis": consultation.is_crisis,
        "response_business_days": policy.first_response_business_days,
        "response_due_date": due,
    }


def staff_summary(consultation: Consultation, language: str, **details) -> dict:
    """What an email to staff may say about `consultation`, in `language`.

    A crisis request's email carries only its reference and a link
    (DECISIONS.md, "People and permissions"): the one place of that rule.
    Any other request's also names the organization (as submitted) and the
    track, plus the caller's `details` (a message's body, a reason, the
    deadline), which a crisis request's email never carries.
    """
    summary = {"reference": consultation.reference, "is_crisis": consultation.is_crisis}
    if consultation.is_crisis:
        return summary
    return summary | {
        "organization_name": consultation.organization_as_submitted.get("name", ""),
        "track_title": track_title(track=consultation.track, language=language),
        **details,
    }


def region_label(*, consultation: Consultation, language: str) -> str:
    """The region the organization gave, in `language`."""
    with translation.override(language):
        return str(Region(consultation.organization_as_submitted["region"]).label)


def organization_draft(
    *,
    consultation: Consultation,
    kind: str,
    dedup_key: str,
    declined_by=None,
    **context,
) -> EmailDraft:
    """An email to the organization's contact, in their language, with the
    reply address of the request; its context always names the reference
    and the contact person."""
    return EmailDraft(
        kind=kind,
        to_address=consultation.contact_email,
        dedup_key=dedup_key,
        language=consultation.preferred_language,
        reply_to=consultation_reply_to(
            consultation=consultation, declined_by=declined_by
        ),
        consultation=consultation,
        context={
            "reference": consultation.reference,
            "contact_name": consultation.contact_name,
            **context,
        },
    )


def notify_organization(
    *,
    consultation: Consultation,
    kind: str,
    dedup_key: str,
    declined_by=None,
    **context,
) -> OutboundEmail:
    """Queue an email to the organization (`organization_draft`), once per
    `dedup_key`: the one way every service writes to the organization."""
    draft = organization_draft(
        consultation=consultation,
        kind=kind,
        dedup_key=dedup_key,
        declined_by=declined_by,
        **context,
    )
    return outbox_enqueue(
        kind=draft.kind,
        to_address=draft.to_address,
        dedup_key=draft.dedup_key,
        language=draft.language,
        context=draft.context,
        consultation=draft.consultation,
        reply_to=draft.reply_to,
    )


def coalition_member_not_us_url(*, token: str, language: str) -> str:
    """The absolute "this isn't us" link of a coalition member's notice."""
    return portal_url(
        "consultations:coalition_member_remove", language=language, token=token
    )


def coalition_member_notice_draft(
    *, consultation: Consultation, member: CoalitionMember, token: str
) -> EmailDraft:
    """The notice to a member organization that another organization listed
    it on a request (Israel's Privacy Protection Law: notice when data is
    collected from a third party), in the request's language: who listed it,
    the reference, what is kept and why, and the "this isn't us" link.

    A crisis request's notice says no more than its reference and the
    organization that listed the member: never the track or anything the
    request says.
    """
    language = consultation.preferred_language
    context = {
        "reference": consultation.reference,
        "member_name": member.name,
        "listed_by": consultation.organization_as_submitted.get("name", ""),
        "retention_months": settings.RETENTION_MONTHS,
        "secret_not_us_url": coalition_member_not_us_url(
            token=token, language=language
        ),
    }
    if not consultation.is_crisis:
        context["track_title"] = track_title(
            track=consultation.track, language=language
        )
    return EmailDraft(
        kind=OutboundEmail.Kind.COALITION_NOTICE,
        to_address=member.contact_email,
        dedup_key=f"coalition_notice:{member.pk}",
        language=language,
        reply_to=settings.STAFF_INBOX_EMAIL,
        consultation=consultation,
        context=context,
    )
