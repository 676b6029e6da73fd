"""Shared pieces of the triage and workspace emails: who the organization
replies to, the advisor's language and link, and the first-response clock.

Each helper runs inside the caller's transaction; the emails themselves are
outbox rows (services/outbox.py).
"""

from django.conf import settings
from django.utils import formats, timezone, translation

from consultations.business_time import to_local
from consultations.emails import portal_url
from consultations.models import AdvisorProfile, Consultation, Language


def consultation_reply_to(*, consultation: Consultation, declined_by=None) -> str:
    """Where the organization's reply to an email about `consultation` goes
    (DECISIONS.md, "Email"): the one function for every email.

    A decline notice goes back to whoever declined (`declined_by`); any other
    email to the active assigned advisor (the account and the advisor profile
    both active), else to the staff inbox, so that no reply reaches someone
    who no longer works on the request.
    """
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


def advisor_language(*, advisor) -> str:
    """Hebrew when the advisor speaks it, else their first listed language."""
    profile = AdvisorProfile.objects.filter(user=advisor).only("languages").first()
    languages = profile.languages if profile else []
    if not languages or Language.HEBREW in languages:
        return Language.HEBREW
    return languages[0]


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
    return ["first_responded_at"]
