"""The outbox: every email is a row before it is a message.

A service calls `outbox_enqueue` inside its transaction; the row commits with
the change that caused it, and only then is a Celery task asked to deliver it.
If the broker is down the row simply stays pending, and the periodic sweep
delivers it later. Delivery claims each row (`sending`) in its own commit
just before talking to the mail server about it, so a retried or duplicated
task never sends the same row twice; a row left in `sending` by a crash is
shown to staff rather than resent blindly.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Func, JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation, OutboundEmail
from shatil_portal.caching import CACHE_ERRORS

logger = logging.getLogger(__name__)

# How long a requested sweep's mark lasts if its sweep never starts (a lost
# message): then the next commit asks again.
SWEEP_REQUESTED_SECONDS = 60

# Context keys with this prefix (raw tokens, private links) are erased once
# the email has been sent.
SECRET_PREFIX = "secret_"


class OutboxDeliveryError(Exception):
    """The mail server refused or failed; the row is pending again (or failed).

    `sent`: how many of the rows delivered together went out all the same.
    """

    def __init__(self, message: str, *, sent: int = 0):
        super().__init__(message)
        self.sent = sent


def outbox_max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def outbox_retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4, 8... minutes, capped at one hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass(frozen=True, kw_only=True)
class EmailDraft:
    """One email to queue: its row's fields before it is a row."""

    kind: str
    to_address: str
    dedup_key: str
    language: str = "he"
    context: dict = field(default_factory=dict)
    consultation: Consultation | None = None
    reply_to: str = ""

    def row_fields(self, *, now: datetime) -> dict:
        """The row's fields but its key, due for delivery `now`."""
        return {
            "kind": self.kind,
            "to_address": self.to_address,
            "language": self.language,
            "context": self.context,
            "consultation": self.consultation,
            "reply_to": self.reply_to,
            "next_attempt_at": now,
        }


def outbox_enqueue(
    *,
    kind: str,
    to_address: str,
    dedup_key: str,
    language: str = "he",
    context: dict | None = None,
    consultation: Consultation | None = None,
    reply_to: str = "",
) -> OutboundEmail:
    """Queue one email, once: a second call with the same key returns the row.

    Must run inside the caller's transaction; delivery is scheduled after
    commit and never fails the caller, even with the broker down.
    """
    email, _created = outbox_enqueue_created(
        kind=kind,
        to_address=to_address,
        dedup_key=dedup_key,
        language=language,
        context=context,
        consultation=consultation,
        reply_to=reply_to,
    )
    return email


def outbox_enqueue_created(
    *,
    kind: str,
    to_address: str,
    dedup_key: str,
    language: str = "he",
    context: dict | None = None,
    consultation: Consultation | None = None,
    reply_to: str = "",
) -> tuple[OutboundEmail, bool]:
    """outbox_enqueue, also saying whether this call made the row (False
    when it was there already, or another run made it at the same time)."""
    draft = EmailDraft(
        kind=kind,
        to_address=to_address,
        dedup_key=dedup_key,
        language=language,
        context=context or {},
        consultation=consultation,
        reply_to=reply_to,
    )
    email, created = OutboundEmail.objects.get_or_create(
        dedup_key=dedup_key, defaults=draft.row_fields(now=timezone.now())
    )
    if created:
        transaction.on_commit(partial(_schedule_delivery, [email.pk]))
    return email, created


def outbox_enqueue_new(*, drafts: Sequence[EmailDraft]) -> list[OutboundEmail]:
    """Queue the emails about objects created in the caller's transaction.

    No row can have their keys yet, so they are inserted in one statement
    without looking first (the unique key still refuses a duplicate, failing
    the transaction), and one task delivers them all after commit.
    """
    now = timezone.now()
    emails = OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(dedup_key=draft.dedup_key, **draft.row_fields(now=now))
            for draft in drafts
        ]
    )
    transaction.on_commit(partial(_schedule_delivery, [email.pk for email in emails]))
    return emails


def _sweep_requested_key() -> str:
    # The database's name keeps two databases sharing a Redis (the tests',
    # the benchmark's) apart.
    return f"outbox:sweep-requested:{connection.settings_dict['NAME']}"


def _schedule_delivery(email_ids: list[int]) -> None:
    """After the commit that queued `email_ids`: make sure a sweep starts
    after this moment (`outbox_deliver_due`), which will find them.

    While a requested sweep has not started, its mark is in the cache, and
    the next commits need no message of their own: one Redis command instead
    of a Celery message per request (a tenth of a submission's CPU), and the
    worker delivers in batches. The sweep takes the mark off before it looks
    for rows, so a row committed later always gets a sweep that starts after
    it. With the broker down the rows stay pending for the periodic sweep:
    the failure is caught and logged here, never raised into the request
    that committed. (Django's robust on_commit cannot name a
    functools.partial when it logs, so it is not used.)"""
    from consultations.tasks import outbox_deliver_due_task

    key = _sweep_requested_key()
    try:
        if not cache.add(key, "1", timeout=SWEEP_REQUESTED_SECONDS):
            return
    except CACHE_ERRORS:
        pass  # Without the mark, ask anyway.
    try:
        # A moment's delay gathers the commits that follow into this sweep:
        # under load one message a second, not one per commit (each costs
        # ~1 ms of the request's CPU), for a second more before an email.
        outbox_deliver_due_task.apply_async(
            countdown=settings.OUTBOX_SWEEP_DELAY_SECONDS
        )
    except Exception as error:
        logger.warning(
            "Outbox rows %s stay pending for the sweep, enqueueing failed: %s",
            email_ids,
            type(error).__name__,
        )
        # The next commit asks again rather than wait for the mark to expire.
        try:
            cache.delete(key)
        except CACHE_ERRORS:
            pass


def outbox_deliver_due() -> int:
    """The sweep a commit asked for: take the mark off (a commit from now on
    asks for another), then deliver every due pending row, oldest first, in
    batches; if rows are still due after OUTBOX_DUE_BATCHES batches, ask
    for another sweep rather than hold the worker. Returns how many were
    sent."""
    try:
        cache.delete(_sweep_requested_key())
    except CACHE_ERRORS:
        pass
    sent = 0
    for _batch in range(settings.OUTBOX_DUE_BATCHES):
        due = outbox_due_ids(now=timezone.now(), grace=False)
        if not due:
            return sent
        try:
            sent += outbound_emails_deliver(email_ids=due)
        except OutboxDeliveryError as error:
            # The failed rows wait for their next attempt; the rest go on.
            sent += error.sent
    _schedule_delivery([])
    return sent


def _claim(email_id: int) -> OutboundEmail | None:
    """Mark the row `sending` (attempts + 1), committed by itself, just
    before it is sent, and return it; None when it is not pending (sent,
    failed, or claimed by another task meanwhile).

    One conditional UPDATE … RETURNING in autocommit: the check and the
    mark are one atomic statement and one commit, so two tasks can never
    both claim a row (the second waits for the first's commit, then finds
    it no longer pending). Found by primary key: the planner reads the
    primary key's index, never the status index (which, after a mail
    server outage, would hold every pending row).
    """
    table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    claimed = list(
        OutboundEmail.objects.raw(
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, "
            f"updated_at = %s WHERE id = %s AND status = %s RETURNING *",
            [
                OutboundEmail.Status.SENDING,
                timezone.now(),
                email_id,
                OutboundEmail.Status.PENDING,
            ],
        )
    )
    return claimed[0] if claimed else None


def _release(*, email: OutboundEmail) -> None:
    """A claimed row that never reached the mail server is pending again, as
    if never claimed (a time limit stopped the batch)."""
    OutboundEmail.objects.filter(
        pk=email.pk, status=OutboundEmail.Status.SENDING
    ).update(
        status=OutboundEmail.Status.PENDING,
        attempts=F("attempts") - 1,
        updated_at=timezone.now(),
    )


def outbound_email_deliver(*, email_id: int) -> bool:
    """Send one pending row at most once. True when this call sent it.

    Raises OutboxDeliveryError when sending failed; the row is then pending
    again with a later `next_attempt_at`, or failed after the last attempt.
    """
    return outbound_emails_deliver(email_ids=[email_id]) == 1


def outbound_emails_deliver(*, email_ids: Sequence[int]) -> int:
    """Send each pending row of `email_ids` at most once, over one mail
    connection; return how many this call sent.

    Each row is claimed (`sending`) just before its own send and marked sent
    as soon as its message is out, so `sending` only ever means "handed to
    the mail server, outcome unknown". Celery's soft time limit stops the
    batch: the row claimed but not yet handed over is pending again, and the
    rows after it were never claimed. Raises OutboxDeliveryError, once the
    others were tried, when any failed; those are pending again with a later
    `next_attempt_at`, or failed after the last attempt.
    """
    from consultations.emails import build_message

    sent = 0
    errors = []
    mail_connection = get_connection()
    # Claimed, not yet handed to the mail server: pending again if the batch
    # stops here. Once `send()` starts, the outcome is unknown: `sending`.
    unsent = None
    try:
        for email_id in dict.fromkeys(email_ids):
            email = unsent = _claim(email_id)
            if email is None:
                continue
            try:
                # Opened once for the batch; again after a failure.
                mail_connection.open()
                message = build_message(email)
                message.connection = mail_connection
                unsent = None
                message.send()
            except SoftTimeLimitExceeded:
                # Celery's soft time limit: stop the batch, never count it as
                # the mail server's failure. The rest stay pending, unclaimed.
                raise
            except Exception as error:
                unsent = None
                outbound_email_record_failure(email=email, error=error)
                errors.append(error)
                continue
            _record_sent(email=email)
            sent += 1
    finally:
        if unsent is not None:
            _release(email=unsent)
        _close_quietly(mail_connection)
    if errors:
        raise OutboxDeliveryError("; ".join(str(error) for error in errors), sent=sent)
    return sent


def _close_quietly(mail_connection) -> None:
    """The messages are out and recorded; a failing goodbye changes nothing."""
    try:
        mail_connection.close()
    except Exception as error:
        logger.warning("Closing the mail connection failed: %s", type(error).__name__)


class JSONWithoutKeys(Func):
    """The stored JSON object without `keys`, computed by the database from
    the value it holds now (PostgreSQL's `-`, SQLite's `json_remove`), so an
    update never writes back a copy read earlier."""

    output_field = JSONField()

    def __init__(self, expression, *, keys: Sequence[str]):
        super().__init__(expression)
        self.keys = list(keys)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - %s::text[])", [*params, self.keys]

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        paths = ", ".join(["%s"] * len(self.keys))
        return f"json_remove({sql}, {paths})", [
            *params,
            *(f'$."{key}"' for key in self.keys),
        ]


def _record_sent(*, email: OutboundEmail) -> bool:
    """Mark the row sent, only if it is still `sending`: anonymization (which
    fails the row and erases it) wins over a delivery that finishes after it.
    The context is never written back; the database drops the secret keys
    from what it holds. False when the row had changed meanwhile."""
    now = timezone.now()
    fields = {"status": OutboundEmail.Status.SENT, "sent_at": now, "last_error": ""}
    secret_keys = [key for key in email.context if key.startswith(SECRET_PREFIX)]
    if secret_keys:
        fields["context"] = JSONWithoutKeys("context", keys=secret_keys)
    marked = OutboundEmail.objects.filter(
        pk=email.pk, status=OutboundEmail.Status.SENDING
    ).update(**fields, updated_at=now)
    if not marked:
        logger.warning("Outbox row %s changed while it was being sent", email.pk)
    return bool(marked)


def outbound_email_record_failure(*, email: OutboundEmail, error: Exception) -> None:
    """Pending again after a backoff, or failed after the last attempt; only
    if the row is still `sending` (anonymization may have failed it)."""
    gives_up = email.attempts >= outbox_max_attempts()
    now = timezone.now()
    still_sending = OutboundEmail.objects.filter(
        pk=email.pk, status=OutboundEmail.Status.SENDING
    )
    still_sending.update(
        status=(
            OutboundEmail.Status.FAILED if gives_up else OutboundEmail.Status.PENDING
        ),
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=now + outbox_retry_delay(attempts=email.attempts),
        updated_at=now,
    )
    logger.warning(
        "Outbox row %s (%s) failed on attempt %s: %s",
        email.pk,
        email.kind,
        email.attempts,
        type(error).__name__,
    )


def outbox_due_ids(*, now: datetime, limit: int = 100, grace: bool = True) -> list[int]:
    """Pending rows whose next attempt is due and that no task is handling.

    For the periodic sweep, a grace period leaves freshly queued rows to the
    sweep their commit asked for (`grace=False`).
    """
    if grace:
        now -= timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Deliver every due pending row, over one mail connection (after an
    outage there may be many); return how many were sent."""
    due = outbox_due_ids(now=now or timezone.now())
    try:
        return outbound_emails_deliver(email_ids=due)
    except OutboxDeliveryError as error:
        return error.sent


@transaction.atomic
def outbound_email_requeue(*, email: OutboundEmail, actor) -> OutboundEmail:
    """Staff decision: a failed row, or one stuck in `sending` that staff
    checked was not delivered, goes back to pending for one more try.

    Decided on the row as it is now, locked, not as the admin list loaded
    it: a row a worker marked sent meanwhile is refused, never sent twice.
    The admin's log records who sent it again.
    """
    email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    if email.status not in (OutboundEmail.Status.FAILED, OutboundEmail.Status.SENDING):
        raise ValidationError(_("Only failed or stuck emails can be sent again."))
    previous = email.status
    email.status = OutboundEmail.Status.PENDING
    email.next_attempt_at = timezone.now()
    email.save(update_fields=["status", "next_attempt_at", "updated_at"])
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[email],
        action_flag=CHANGE,
        change_message=f"Sent again (was {previous})",
        single_object=True,
    )
    transaction.on_commit(partial(_schedule_delivery, [email.pk]))
    return email
