"""Feedback after a completed consultation: the invitation (a private link
whose token is stored only as its SHA-256) and the one answer it accepts."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.emails import portal_url
from consultations.models import Consultation, Feedback
from consultations.selectors.followups import feedback_token_hash

FEEDBACK_TOKEN_BYTES = 32


class FeedbackAlreadyGiven(ValidationError):
    """The request's one answer was received before."""


@dataclass(frozen=True)
class FeedbackInvitation:
    feedback: Feedback
    # The raw link; it lives in the outbox row only until the email is sent.
    url: str


def feedback_url(*, token: str, language: str) -> str:
    return portal_url("consultations:feedback", language=language, token=token)


def feedback_invite(*, consultation: Consultation) -> FeedbackInvitation | None:
    """A fresh link to the request's feedback form, in the contact's language;
    None when the organization already answered.

    Runs in the caller's transaction. Inviting again replaces the token, so
    only the latest link works.
    """
    token = secrets.token_urlsafe(FEEDBACK_TOKEN_BYTES)
    language = consultation.preferred_language
    feedback, created = Feedback.objects.select_for_update().get_or_create(
        consultation=consultation,
        defaults={"token_hash": feedback_token_hash(token), "language": language},
    )
    if not created:
        if feedback.is_answered:
            return None
        feedback.token_hash = feedback_token_hash(token)
        feedback.language = language
        feedback.save(update_fields=["token_hash", "language", "updated_at"])
    return FeedbackInvitation(
        feedback=feedback, url=feedback_url(token=token, language=language)
    )


@transaction.atomic
def feedback_submit(
    *,
    feedback: Feedback,
    satisfaction: int,
    reached_goal: str,
    would_recommend: bool,
    comment: str = "",
) -> Feedback:
    """Store the organization's answer; a second answer is refused."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.is_answered:
        raise FeedbackAlreadyGiven(
            _("We already received your feedback on this request. Thank you!"),
            code="already_answered",
        )
    feedback.satisfaction = satisfaction
    feedback.reached_goal = reached_goal
    feedback.would_recommend = would_recommend
    feedback.comment = (comment or "").strip()
    feedback.submitted_at = timezone.now()
    feedback.full_clean(exclude=["consultation", "token_hash"])
    feedback.save(
        update_fields=[
            "satisfaction",
            "reached_goal",
            "would_recommend",
            "comment",
            "submitted_at",
            "updated_at",
        ]
    )
    return feedback
