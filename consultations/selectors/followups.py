"""Reads for the follow-up jobs: the response policy that applies to a
request and the first-response deadline it sets, who the coordinators are,
and the figures of the weekly digest."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from consultations.business_time import add_business_days
from consultations.models import Consultation, Feedback, PlanStep, ResponsePolicy
from consultations.permissions import user_may_see_crisis
from consultations.roles import COORDINATORS_GROUP
from consultations.suggestions import advisor_profiles_with_load
from shatil_portal.caching import RESPONSE_POLICIES, cached_fragment
from tracks.models import Track

# token_urlsafe(32) gives 43 characters; anything else is not a token.
FEEDBACK_TOKEN_LENGTHS = range(20, 101)


@dataclass(frozen=True)
class PolicyValues:
    first_response_business_days: int
    reminder_business_days_before: int


def policy_urgency(*, urgency: str, is_crisis: bool = False) -> str:
    """The policy row's urgency for a request: crisis outranks urgent."""
    if is_crisis:
        return ResponsePolicy.Urgency.CRISIS
    if urgency == Consultation.Urgency.URGENT:
        return ResponsePolicy.Urgency.URGENT
    return ResponsePolicy.Urgency.NORMAL


def _default_policy(*, urgency: str) -> PolicyValues:
    if urgency == ResponsePolicy.Urgency.NORMAL:
        return PolicyValues(
            first_response_business_days=settings.FIRST_RESPONSE_BUSINESS_DAYS,
            reminder_business_days_before=1,
        )
    return PolicyValues(
        first_response_business_days=settings.URGENT_FIRST_RESPONSE_BUSINESS_DAYS,
        reminder_business_days_before=0,
    )


def response_policy_table() -> dict[tuple[str, int | None], PolicyValues]:
    """Every response policy row, by (urgency, track id).

    Read on every submission and changed by staff now and then, so cached
    under a version of its own: saving or deleting a row moves that version
    on after commit (consultations/apps.py), and of the catalog's cached
    pages only those that promise a response time go. Inside a transaction
    it is read from the database.
    """
    return cached_fragment(
        "table", _response_policy_table_load, namespace=RESPONSE_POLICIES
    )


def _response_policy_table_load() -> dict[tuple[str, int | None], PolicyValues]:
    return {
        (urgency, track_id): PolicyValues(
            first_response_business_days=days,
            reminder_business_days_before=reminder,
        )
        for urgency, track_id, days, reminder in ResponsePolicy.objects.values_list(
            "urgency",
            "track_id",
            "first_response_business_days",
            "reminder_business_days_before",
        )
    }


def response_policy_for(*, urgency: str, track=None, table=None) -> PolicyValues:
    """The policy for `urgency` (normal, urgent or crisis) on `track`: the
    track's own row, else the row for every track, else the settings.

    A crisis request with no crisis row falls back to the urgent one.
    """
    track_id = getattr(track, "pk", track)
    wanted = [urgency]
    if urgency == ResponsePolicy.Urgency.CRISIS:
        wanted.append(ResponsePolicy.Urgency.URGENT)
    table = response_policy_table() if table is None else table
    for candidate in wanted:
        policy = table.get((candidate, track_id)) if track_id else None
        policy = policy or table.get((candidate, None))
        if policy is not None:
            return policy
    return _default_policy(urgency=urgency)


def response_policy_business_days(*, urgency: str, track=None, table=None) -> int:
    """Business days to the first response for `urgency` on `track`."""
    policy = response_policy_for(urgency=urgency, track=track, table=table)
    return policy.first_response_business_days


def first_response_due_at(
    *,
    submitted_at: datetime,
    is_urgent: bool,
    is_crisis: bool = False,
    track=None,
    table=None,
) -> datetime:
    """Return when the first response to a request is due (crisis: sooner).

    The number of business days comes from the response policy staff set in
    the admin for the urgency (and track, when given), else from settings.
    `table`: the policies as `response_policy_table()` returned them, when
    the caller has them already.
    """
    days = response_policy_business_days(
        urgency=policy_urgency(
            urgency="urgent" if is_urgent else "normal", is_crisis=is_crisis
        ),
        track=track,
        table=table,
    )
    return add_business_days(moment=submitted_at, days=days)


def response_promise_business_days(*, track=None) -> dict[str, int]:
    """Business days to the first response on `track` (else on every
    track), by policy urgency: what the public pages promise (one read of
    the policies)."""
    table = response_policy_table()
    return {
        urgency: response_policy_for(
            urgency=urgency, track=track, table=table
        ).first_response_business_days
        for urgency in ResponsePolicy.Urgency.values
    }


def response_policy_for_consultation(
    *, consultation: Consultation, table=None
) -> PolicyValues:
    return response_policy_for(
        urgency=policy_urgency(
            urgency=consultation.urgency, is_crisis=consultation.is_crisis
        ),
        track=consultation.track_id,
        table=table,
    )


@dataclass(frozen=True)
class Recipient:
    """A staff address with what it may read about crisis requests."""

    email: str
    sees_crisis: bool
    first_name: str = ""


def coordinator_recipients() -> list[Recipient]:
    """Active members of the Coordinators group with an email, and the staff
    inbox; one entry per address.

    The staff inbox is the coordinators' shared mailbox, so it may read a
    crisis request's reference and link, like the intake notice it gets.
    """
    users = (
        get_user_model()
        .objects.filter(groups__name=COORDINATORS_GROUP, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    recipients = {
        settings.STAFF_INBOX_EMAIL.lower(): Recipient(
            email=settings.STAFF_INBOX_EMAIL, sees_crisis=True
        )
    }
    for user in users:
        recipients.setdefault(
            user.email.lower(),
            Recipient(
                email=user.email,
                sees_crisis=user_may_see_crisis(user),
                first_name=user.first_name,
            ),
        )
    return sorted(recipients.values(), key=lambda recipient: recipient.email.lower())


def consultations_overdue(*, now: datetime) -> QuerySet[Consultation]:
    """Open requests with no first response and a deadline in the past."""
    return (
        Consultation.objects.filter(
            status__in=Consultation.OPEN_STATUSES,
            first_responded_at__isnull=True,
            anonymized_at__isnull=True,
            first_response_due_at__lt=now,
        )
        .select_related("track", "organization")
        .order_by("-is_crisis", "first_response_due_at", "pk")
    )


def consultations_with_overdue_steps(*, today: date) -> QuerySet[Consultation]:
    """Open requests whose work plan has steps still open past their due
    date (Israel's `today`), as `overdue_steps`; most overdue steps first."""
    return (
        Consultation.objects.filter(
            status__in=Consultation.OPEN_STATUSES, anonymized_at__isnull=True
        )
        .annotate(
            overdue_steps=Count(
                "work_plan__steps",
                filter=Q(
                    work_plan__steps__status__in=(
                        PlanStep.Status.PLANNED,
                        PlanStep.Status.IN_PROGRESS,
                    ),
                    work_plan__steps__due_date__lt=today,
                ),
            )
        )
        .filter(overdue_steps__gt=0)
        .select_related("track", "organization")
        .order_by("-is_crisis", "-overdue_steps", "pk")
    )


def consultations_waiting() -> QuerySet[Consultation]:
    return (
        Consultation.objects.filter(
            status=Consultation.Status.WAITING_FOR_ORGANIZATION,
            anonymized_at__isnull=True,
        )
        .select_related("track", "organization", "advisor")
        .order_by("-is_crisis", "updated_at", "pk")
    )


def new_requests_by_track(*, since: datetime, until: datetime) -> list[tuple]:
    """(track, count) for the requests that arrived in the period, most
    first; counts only, crisis included."""
    counts = dict(
        Consultation.objects.filter(submitted_at__gte=since, submitted_at__lt=until)
        .values_list("track_id")
        .annotate(count=Count("pk"))
        .values_list("track_id", "count")
    )
    tracks = Track.objects.filter(pk__in=counts).order_by("order", "pk")
    return sorted(
        ((track, counts[track.pk]) for track in tracks), key=lambda item: -item[1]
    )


def advisors_at_capacity() -> list:
    """Active advisor profiles whose load reached their capacity."""
    return [
        profile
        for profile in advisor_profiles_with_load().order_by("user__first_name", "pk")
        if profile.load >= profile.capacity
    ]


def digest_period(*, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=7), now


def feedback_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feedback_get_by_token(*, token: str) -> Feedback | None:
    """The feedback invitation behind `token`; None for an unknown token or
    an anonymized request."""
    if not token or len(token) not in FEEDBACK_TOKEN_LENGTHS:
        return None
    digest = feedback_token_hash(token)
    feedback = (
        Feedback.objects.select_related("consultation")
        .filter(token_hash=digest, consultation__anonymized_at__isnull=True)
        .first()
    )
    if feedback is None or not hmac.compare_digest(feedback.token_hash, digest):
        return None
    return feedback
