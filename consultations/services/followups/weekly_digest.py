"""The weekly digest to each coordinator and the staff inbox."""

import datetime

from django.db import transaction
from django.utils import timezone, translation

from consultations.business_time import to_local
from consultations.models import Consultation, OutboundEmail
from consultations.selectors.followups import (
    Recipient,
    advisors_at_capacity,
    consultations_overdue,
    consultations_waiting,
    consultations_with_overdue_steps,
    coordinator_recipients,
    digest_period,
    new_requests_by_track,
)
from consultations.services.followups.shared import _staff_item
from consultations.services.notices import format_local, staff_language
from consultations.services.outbox import outbox_enqueue_created

# 4. Weekly digest -------------------------------------------------------------

DIGEST_LIST_LIMIT = 50


def _digest_items(
    *,
    consultations: list[Consultation],
    recipient: Recipient,
    language: str,
    extra=lambda consultation: {},
) -> tuple[list[dict], int, int]:
    """Lines the recipient may read, how many crisis requests were left out
    (counted only), and how many more did not fit. `extra` adds what a
    section shows of each request beyond the staff summary."""
    visible = [
        consultation
        for consultation in consultations
        if recipient.sees_crisis or not consultation.is_crisis
    ]
    items = [
        _staff_item(consultation=consultation, language=language) | extra(consultation)
        for consultation in visible[:DIGEST_LIST_LIMIT]
    ]
    return (
        items,
        len(consultations) - len(visible),
        max(len(visible) - DIGEST_LIST_LIMIT, 0),
    )


def weekly_digest_context(*, recipient: Recipient, now: datetime.datetime) -> dict:
    language = staff_language()
    since, until = digest_period(now=now)
    with translation.override(language):
        new_by_track = [
            {"title": str(track.title), "count": count}
            for track, count in new_requests_by_track(since=since, until=until)
        ]
        all_overdue = list(consultations_overdue(now=now))
        all_waiting = list(consultations_waiting())
        overdue, overdue_hidden, overdue_more = _digest_items(
            consultations=all_overdue, recipient=recipient, language=language
        )
        waiting, waiting_hidden, waiting_more = _digest_items(
            consultations=all_waiting, recipient=recipient, language=language
        )
        all_plans = list(
            consultations_with_overdue_steps(today=to_local(moment=now).date())
        )
        plans, plans_hidden, plans_more = _digest_items(
            consultations=all_plans,
            recipient=recipient,
            language=language,
            extra=lambda consultation: {"overdue_steps": consultation.overdue_steps},
        )
        return {
            "since": format_local(moment=since, language=language),
            "until": format_local(moment=until, language=language),
            "new_by_track": new_by_track,
            "new_total": sum(row["count"] for row in new_by_track),
            "overdue": overdue,
            "overdue_count": len(all_overdue),
            "overdue_hidden_crisis": overdue_hidden,
            "overdue_more": overdue_more,
            "waiting": waiting,
            "waiting_count": len(all_waiting),
            "waiting_hidden_crisis": waiting_hidden,
            "waiting_more": waiting_more,
            "plans_overdue": plans,
            "plans_overdue_count": len(all_plans),
            "plans_overdue_hidden_crisis": plans_hidden,
            "plans_overdue_more": plans_more,
            "advisors_at_capacity": [
                {
                    "name": str(profile),
                    "load": profile.load,
                    "capacity": profile.capacity,
                }
                for profile in advisors_at_capacity()
            ],
        }


def weekly_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Queue this week's digest for each coordinator and the staff inbox.

    The key names the week (from Sunday) and the address, so a second run in
    the same week, or two at once, queues nothing new. Crisis requests
    appear by reference and link to those allowed to see them, and as a
    count to the others.
    """
    now = now or timezone.now()
    today = to_local(moment=now).date()
    # The Israeli week starts on Sunday (Python's weekday() 6).
    week_start = today - datetime.timedelta(days=(today.weekday() + 1) % 7)
    queued = 0
    contexts: dict[bool, dict] = {}
    for recipient in coordinator_recipients():
        key = f"weekly_digest:{week_start:%Y-%m-%d}:{recipient.email.lower()}"
        if OutboundEmail.objects.filter(dedup_key=key).exists():
            continue
        if recipient.sees_crisis not in contexts:
            contexts[recipient.sees_crisis] = weekly_digest_context(
                recipient=recipient, now=now
            )
        with transaction.atomic():
            _email, created = outbox_enqueue_created(
                kind=OutboundEmail.Kind.WEEKLY_DIGEST,
                to_address=recipient.email,
                dedup_key=key,
                language=staff_language(),
                context={
                    **contexts[recipient.sees_crisis],
                    "first_name": recipient.first_name,
                },
            )
        # Another run may have queued it since the check above: count only
        # the rows this run made.
        queued += created
    return queued
