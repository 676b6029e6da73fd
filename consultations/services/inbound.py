"""Replies by email (issue 17): mail read from the portal's mailbox becomes
messages on the requests it answers, through the same service as a message
written on the status page.

`inbound_mail_fetch` is the job: it reads a bounded batch from the mailbox
(settings INBOUND_*), and for each message `inbound_mail_receive` runs in
one transaction: parse, classify, match, store (or hold for staff). The
message is acknowledged on the server (marked read, or moved) only after
that transaction has committed; a failure leaves it unread for the next
run, and its Message-ID (unique) keeps it from being stored twice. A
message that fails INBOUND_MAX_ATTEMPTS runs is quarantined for staff and
acknowledged (`inbound_mail_failed`), so that it is not tried forever.

Staff attach held mail to a request (`inbound_mail_attach`) or discard it
(`inbound_mail_discard`) from the admin's list of received mail.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from consultations.inbound import (
    NO_TEXT,
    InboundMessage,
    MailboxUnavailable,
    MailKind,
    classify,
    extract_reply,
    find_reference,
    find_reply_token,
    mailbox_config,
    parse_message,
    redact_address,
)
from consultations.inbound.sources import (
    ImapConfig,
    ImapSource,
    MaildirSource,
)
from consultations.models import (
    Attachment,
    CoalitionMember,
    Consultation,
    InboundMail,
    Message,
)
from consultations.permissions import user_may_see_consultation
from consultations.services.access import ensure_staff
from consultations.services.attachments import attachments_add
from consultations.services.notices import inbound_configured
from consultations.services.oauth_grants import (
    Purpose,
    oauth_refresh_token,
    oauth_refresh_token_keep,
)
from consultations.services.requester import consultation_message_from_organization
from consultations.services.workspace import consultation_message_organization

logger = logging.getLogger(__name__)

Status = InboundMail.Status
Reason = InboundMail.Reason

# A run stops taking new messages after this many seconds, well inside the
# task's time limit; the next run takes the rest.
RUN_SECONDS = 60
RUN_LOCK = "inbound-mail:run"
OAUTH_PURPOSE = Purpose.INBOUND
HEADERS_LIMIT = 20_000
BODY_LIMIT = 100_000


# The job
# ------------------------------------------------------------------------------


def inbound_source():
    """The configured mailbox (settings INBOUND_*) as a source to open."""
    config = mailbox_config(
        settings.INBOUND_MAILBOX,
        user=settings.INBOUND_IMAP_USER,
        password=settings.INBOUND_IMAP_PASSWORD,
        processed_folder=settings.INBOUND_PROCESSED_FOLDER,
        ca_file=settings.INBOUND_IMAP_CA_FILE,
        token_url=settings.INBOUND_OAUTH2_TOKEN_URL,
        client_id=settings.INBOUND_OAUTH2_CLIENT_ID,
        client_secret=settings.INBOUND_OAUTH2_CLIENT_SECRET,
        refresh_token=oauth_refresh_token(
            purpose=OAUTH_PURPOSE, configured=settings.INBOUND_OAUTH2_REFRESH_TOKEN
        ),
        scope=settings.INBOUND_OAUTH2_SCOPE,
    )
    if isinstance(config, ImapConfig):
        return ImapSource(config, max_bytes=settings.INBOUND_MAX_BYTES)
    return MaildirSource(config, max_bytes=settings.INBOUND_MAX_BYTES)


def inbound_mail_fetch(*, limit: int | None = None) -> int:
    """Read up to `limit` (INBOUND_BATCH_SIZE) new messages and receive
    each one; returns how many were acknowledged. A mailbox that is down is
    logged and tried again on the next run; a message whose transaction
    fails stays unread for the next run. Never raises for bad mail."""
    if not inbound_configured():
        return 0
    if transaction.get_connection().in_atomic_block:
        # The acknowledgement must follow a real commit.
        raise RuntimeError("inbound_mail_fetch must run outside a transaction")
    # One run at a time: an overlapping run would only find the same mail.
    try:
        if not cache.add(RUN_LOCK, True, timeout=RUN_SECONDS * 3):
            return 0
    except Exception:  # noqa: BLE001 - without the cache, runs may overlap
        logger.warning("Inbound mail: no cache for the run lock; running anyway")
    try:
        return _fetch(limit=limit or settings.INBOUND_BATCH_SIZE)
    finally:
        try:
            cache.delete(RUN_LOCK)
        except Exception:  # noqa: BLE001
            pass


def _fetch(*, limit: int) -> int:
    started = time.monotonic()
    done = 0
    try:
        with inbound_source() as source:
            _keep_rotated_token(source)
            for mail in source.fetch(limit=limit):
                try:
                    inbound_mail_receive(raw=mail.raw, size=mail.size)
                except Exception as error:  # noqa: BLE001 - one never stops the rest
                    logger.exception(
                        "Inbound mail: a message could not be stored; it stays "
                        "unread for the next run"
                    )
                    if _record_failure(raw=mail.raw, size=mail.size, error=error):
                        source.ack(mail.uid)  # quarantined, after the commit
                        done += 1
                else:
                    source.ack(mail.uid)  # after the commit
                    done += 1
                if time.monotonic() - started > RUN_SECONDS:
                    break
    except MailboxUnavailable as error:
        logger.warning(
            "Inbound mail: the mailbox is unavailable (%s); next run retries",
            error,
        )
    return done


def _keep_rotated_token(source) -> None:
    """The refresh token the provider rotated at login, kept for the next
    run (Microsoft may retire the old one)."""
    rotated = getattr(source, "refresh_token", "")
    if oauth_refresh_token_keep(
        purpose=OAUTH_PURPOSE,
        configured=settings.INBOUND_OAUTH2_REFRESH_TOKEN,
        current=rotated,
    ):
        logger.info("Inbound mail: the provider rotated the refresh token; kept")


def _record_failure(*, raw: bytes, size: int | None, error: Exception) -> bool:
    """Count a failed run for the message; whether it may be acknowledged
    (quarantined now, or stored meanwhile). Never raises: a failure to count
    leaves the message for the next run, as before."""
    try:
        inbound = inbound_mail_failed(raw=raw, size=size, error=error)
    except Exception:  # noqa: BLE001
        logger.exception("Inbound mail: the failed attempt could not be counted")
        return False
    return inbound.status != Status.FAILED


def _failure_key(raw: bytes, size: int | None) -> tuple[str, InboundMessage | None]:
    """The Message-ID the failed message is counted by (a digest of the
    bytes when even its headers cannot be read), with the parsed message
    when it parses."""
    try:
        message = parse_message(raw, max_bytes=settings.INBOUND_MAX_BYTES, size=size)
    except Exception:  # noqa: BLE001 - the failure may be in the parser itself
        return f"<{hashlib.sha256(raw).hexdigest()}@failed.invalid>", None
    return message.message_id[:255], message


def _failed_request(message: InboundMessage | None) -> Consultation | None:
    """The request a failed message names, when that can be told, so that
    the crisis rule hides it from staff who may not see that request."""
    if message is None:
        return None
    try:
        return _match(message).consultation
    except Exception:  # noqa: BLE001 - the matching may be what failed
        return None


def inbound_mail_failed(
    *, raw: bytes, size: int | None = None, error: Exception
) -> InboundMail:
    """Record that receiving a message failed with an unexpected error (after
    its transaction was rolled back): a row with status "failed" and its
    count of attempts, keyed by the Message-ID. After INBOUND_MAX_ATTEMPTS
    runs the message is quarantined: listed for staff with the error, and
    taken off the mailbox, so that one bad message is not tried forever.
    The original message is kept with it when the storage takes it."""
    message_id, message = _failure_key(raw, size)
    detail = f"{type(error).__name__}: {error}"[:1000]
    consultation = _failed_request(message)
    with transaction.atomic():
        inbound = (
            InboundMail.objects.select_for_update()
            .filter(message_id=message_id)
            .first()
        )
        if inbound is not None and inbound.status != Status.FAILED:
            return inbound  # stored meanwhile: nothing failed for good
        if inbound is None:
            inbound = InboundMail(message_id=message_id, status=Status.FAILED)
            inbound.consultation = consultation
            if message is not None:
                inbound.from_address = message.from_address[:254]
                inbound.from_name = message.from_name[:200]
                inbound.subject = message.subject[:255]
                inbound.recipients = _recipient_list(message)
                inbound.sent_at = message.date
                inbound.size = message.size
                headers = "\n".join(f"{n}: {v}" for n, v in message.headers)
                inbound.headers = headers[:HEADERS_LIMIT]
            else:
                inbound.size = size or len(raw)
        inbound.attempts += 1
        inbound.detail = detail
        if inbound.attempts >= settings.INBOUND_MAX_ATTEMPTS:
            inbound.status = Status.QUARANTINED
            inbound.reason = Reason.FAILED
        inbound.save()
    logger.warning(
        "Inbound mail %s: attempt %s failed (%s)",
        inbound.pk,
        inbound.attempts,
        inbound.status,
    )
    if inbound.status == Status.QUARANTINED:
        try:
            inbound.raw.save("message.eml", ContentFile(raw), save=True)
        except Exception:  # noqa: BLE001 - the storage may be what fails
            logger.exception(
                "Inbound mail %s: quarantined without its original message",
                inbound.pk,
            )
    return inbound


# One message
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    consultation: Consultation | None
    reason: str = ""
    # The staff member or advisor who wrote, when it is one of them.
    staff_user: object = None


def _recipient_list(message: InboundMessage) -> str:
    return ", ".join(redact_address(address) for address in message.recipients)[:1000]


def inbound_mail_receive(*, raw: bytes, size: int | None = None) -> InboundMail:
    """Store one received message once (by its Message-ID) with its
    outcome, in one transaction: stored on its request, held for staff
    (unmatched, an automatic reply, a bounce) or refused (too large).
    Returns the row, the existing one for a message seen before. If the
    transaction fails, the original message written to the storage is
    removed again."""
    stored: list[str] = []
    try:
        return _receive(raw=raw, size=size, stored=stored)
    except BaseException:
        storage = InboundMail._meta.get_field("raw").storage
        for name in stored:
            storage.delete(name)
        raise


@transaction.atomic
def _receive(*, raw: bytes, size: int | None, stored: list) -> InboundMail:
    message = parse_message(raw, max_bytes=settings.INBOUND_MAX_BYTES, size=size)
    message_id = message.message_id[:255]
    existing = InboundMail.objects.filter(message_id=message_id).first()
    attempts = 0
    if existing is not None:
        if existing.status != Status.FAILED:
            return existing
        # Failed on an earlier run: taken again from the start.
        attempts = existing.attempts
        existing.delete()
    headers = "\n".join(f"{name}: {value}" for name, value in message.headers)
    inbound = InboundMail(
        message_id=message_id,
        from_address=message.from_address[:254],
        from_name=message.from_name[:200],
        subject=message.subject[:255],
        recipients=_recipient_list(message),
        headers=headers[:HEADERS_LIMIT],
        sent_at=message.date,
        size=message.size,
        attempts=attempts,
    )
    with translation.override(settings.LANGUAGE_CODE):
        match = _decide(inbound=inbound, message=message)
        _save_with_raw(inbound=inbound, raw=raw, stored=stored)
        if match is not None:
            _store_on_request(inbound=inbound, message=message, match=match)
    logger.info(
        "Inbound mail %s: %s %s",
        inbound.pk,
        inbound.status,
        inbound.reason or "",
    )
    return inbound


def _save_with_raw(*, inbound: InboundMail, raw: bytes, stored: list) -> None:
    """Save the row with the message as received, in the private storage."""
    inbound.raw.save("message.eml", ContentFile(raw), save=False)
    stored.append(inbound.raw.name)
    inbound.full_clean(exclude=["raw"], validate_unique=False)
    inbound.save()


def _decide(*, inbound: InboundMail, message: InboundMessage) -> Match | None:
    """Set the row's status, reason and request; the match when the mail is
    to be stored on its request."""
    if message.too_large:
        inbound.status = Status.REFUSED
        inbound.reason = Reason.TOO_LARGE
        inbound.detail = _("%(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(message.size),
            "limit": filesizeformat(settings.INBOUND_MAX_BYTES),
        }
        return None
    kind = classify(message)
    match = _match(message)
    inbound.consultation = match.consultation
    text = extract_reply(message.body)
    inbound.body = ("" if text is NO_TEXT else text)[:BODY_LIMIT]
    if not kind.is_reply:
        inbound.status = (
            Status.BOUNCE if kind.kind is MailKind.BOUNCE else (Status.AUTO_REPLY)
        )
        inbound.reason = Reason.MACHINE
        inbound.detail = kind.reason[:1000]
        return None
    if match.reason:
        inbound.status = Status.UNMATCHED
        inbound.reason = match.reason
        return None
    if text is NO_TEXT and not message.attachments:
        inbound.status = Status.UNMATCHED
        inbound.reason = Reason.NO_TEXT
        return None
    inbound.status = Status.STORED
    return match


def _match(message: InboundMessage) -> Match:
    """The request a reply answers: by the reply address among its
    recipients, else by the reference in its subject when the sender is a
    known contact of that request."""
    sender = message.from_address.strip().lower()
    token = find_reply_token(message, settings.INBOUND_REPLY_DOMAIN)
    if token is not None:
        consultation = (
            Consultation.objects.select_related("advisor")
            .filter(reply_token=token, anonymized_at__isnull=True)
            .first()
        )
        if consultation is None:
            return Match(None, Reason.UNKNOWN_ADDRESS)
        if not sender:
            return Match(consultation, Reason.NO_SENDER)
        return _with_staff_sender(consultation, sender, message)
    reference = find_reference(message.subject)
    consultation = None
    if reference is not None:
        consultation = (
            Consultation.objects.select_related("advisor")
            .filter(reference=reference, anonymized_at__isnull=True)
            .first()
        )
    if consultation is None:
        return Match(None, Reason.NO_ADDRESS)
    if not sender:
        return Match(consultation, Reason.NO_SENDER)
    match = _with_staff_sender(consultation, sender, message)
    if match.staff_user is None and not match.reason:
        if not _is_contact(consultation, sender):
            return Match(consultation, Reason.UNKNOWN_SENDER)
    return match


def _with_staff_sender(consultation, sender: str, message: InboundMessage) -> Match:
    """The match, with the advisor or staff member who wrote it; mail that
    claims a staff address the receiving server could not verify is held
    (it would write to the organization in their name)."""
    staff_user = _staff_sender(consultation, sender)
    if staff_user is not None and not _sender_verified(message):
        return Match(consultation, Reason.UNVERIFIED_SENDER)
    return Match(consultation, staff_user=staff_user)


def _is_contact(consultation: Consultation, sender: str) -> bool:
    if consultation.contact_email.strip().lower() == sender:
        return True
    return CoalitionMember.objects.filter(
        consultation=consultation, contact_email__iexact=sender
    ).exists()


def _sender_verified(message: InboundMessage) -> bool:
    """Whether the receiving server vouches for the sender: its
    Authentication-Results (the topmost, which the receiving server adds)
    passes DMARC, DKIM or SPF. A server that adds none vouches for nothing
    and is trusted as configured (docs/USER_GUIDE.md)."""
    results = message.header("Authentication-Results").lower()
    if not results:
        return True
    return any(f"{method}=pass" in results for method in ("dmarc", "dkim", "spf"))


def _staff_sender(consultation: Consultation, sender: str):
    """The active advisor or staff member with this address who may see the
    request (the crisis rule), unless the address is the organization's."""
    if consultation.contact_email.strip().lower() == sender:
        return None
    users = get_user_model().objects.filter(
        Q(is_staff=True) | Q(pk=consultation.advisor_id),
        email__iexact=sender,
        is_active=True,
    )
    for user in users:
        if user_may_see_consultation(user=user, consultation=consultation):
            return user
    return None


def _placeholder(*, has_files: bool) -> str:
    if has_files:
        return _("(Sent by email with files and no text.)")
    return _("(Sent by email without text.)")


def _store_on_request(
    *, inbound: InboundMail, message: InboundMessage, match: Match
) -> None:
    """The message on its request's timeline, with its files, through the
    services a message from the status page or the workspace goes through.
    If the request cannot take it, the mail is held for staff instead."""
    consultation = match.consultation
    text = inbound.body or _placeholder(has_files=bool(message.attachments))
    try:
        with transaction.atomic():
            if match.staff_user is not None:
                stored = consultation_message_organization(
                    consultation=consultation, author=match.staff_user, body=text
                )
            else:
                stored = consultation_message_from_organization(
                    consultation=consultation, body=text
                )
            refused = _add_files(
                consultation=consultation,
                message=stored,
                files=message.attachments,
                sender_user=match.staff_user,
            )
    except (ValidationError, PermissionDenied) as error:
        inbound.status = Status.UNMATCHED
        inbound.reason = Reason.NOT_ACCEPTED
        inbound.detail = _error_text(error)[:1000]
        inbound.save(update_fields=["status", "reason", "detail", "updated_at"])
        return
    inbound.stored_message = stored
    inbound.needs_attention = consultation.is_closed
    fields = ["stored_message", "needs_attention", "updated_at"]
    if refused:
        inbound.reason = Reason.FILES_REFUSED
        inbound.detail = "; ".join(refused)[:1000]
        fields += ["reason", "detail"]
    inbound.save(update_fields=fields)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Not allowed.")


def _add_files(*, consultation, message, files, sender_user) -> list[str]:
    """Each file through attachments_add, one at a time, so that a refused
    one (a program, an archive, too large, one too many) is recorded and
    the others kept. Returns the refusals, each naming its file."""
    refused = []
    accepted = 0
    for item in files:
        if accepted >= settings.ATTACHMENT_MAX_FILES:
            refused.append(
                _("“%(name)s”: more than %(count)s files.")
                % {"name": item.filename, "count": settings.ATTACHMENT_MAX_FILES}
            )
            continue
        try:
            attachments_add(
                consultation=consultation,
                files=[(item.filename, item.content)],
                sender=Attachment.Sender.INBOUND_MAIL,
                sender_user=sender_user,
                message=message,
            )
        except ValidationError as error:
            refused.append(_error_text(error))
        else:
            accepted += 1
    return refused


# Staff's decisions
# ------------------------------------------------------------------------------


def _lock_waiting(inbound: InboundMail) -> InboundMail:
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status not in InboundMail.WAITING_STATUSES:
        raise ValidationError(_("This email was already handled."))
    return inbound


def _read_raw(inbound: InboundMail) -> bytes:
    if not inbound.raw:
        return b""
    with inbound.raw.open("rb") as handle:
        return handle.read()


@transaction.atomic
def inbound_mail_attach(
    *, inbound: InboundMail, consultation: Consultation, actor
) -> Message:
    """Staff attach held mail to a request: stored as a message from the
    organization (or from the advisor or staff member who sent it) with its
    files, as if it had been matched. The request must be one the actor
    may see (the crisis rule)."""
    inbound = _lock_waiting(inbound)
    ensure_staff(actor=actor, consultation=consultation)
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request is no longer available."))
    if not inbound.raw:
        # Quarantined when the storage itself failed: nothing to attach.
        raise ValidationError(
            _("Its original message was not kept; it can only be discarded.")
        )
    try:
        raw = _read_raw(inbound)
    except Exception as error:  # a local disk or an S3 store: any read failure
        # The row says the original is kept, but the storage cannot give it
        # (a lost disk, a restore without its files): staff are told, and
        # the email keeps waiting for them.
        logger.warning(
            "Received email %s: original unreadable (%s)",
            inbound.pk,
            type(error).__name__,
        )
        raise ValidationError(
            _("Its original message could not be read; it can only be discarded.")
        ) from error
    message = parse_message(raw, max_bytes=settings.INBOUND_MAX_BYTES)
    sender = message.from_address.strip().lower()
    staff_user = _staff_sender(consultation, sender) if sender else None
    inbound.consultation = consultation
    inbound.status = Status.STORED
    inbound.handled_by = actor
    inbound.save(update_fields=["consultation", "status", "handled_by", "updated_at"])
    _store_on_request(
        inbound=inbound,
        message=message,
        match=Match(consultation, staff_user=staff_user),
    )
    if inbound.status != Status.STORED:
        raise ValidationError(inbound.detail or _("The request could not take it."))
    return inbound.stored_message


@transaction.atomic
def inbound_mail_discard(*, inbound: InboundMail, actor) -> InboundMail:
    """Staff discard held mail: kept as a row (its Message-ID, so it is not
    taken again) without its text, headers or original message."""
    if not actor.is_staff:
        raise PermissionDenied
    inbound = _lock_waiting(inbound)
    if inbound.consultation_id is not None and not user_may_see_consultation(
        user=actor, consultation=inbound.consultation
    ):
        raise PermissionDenied
    _erase(rows=InboundMail.objects.filter(pk=inbound.pk))
    InboundMail.objects.filter(pk=inbound.pk).update(
        status=Status.DISCARDED, handled_by=actor
    )
    inbound.refresh_from_db()
    return inbound


@transaction.atomic
def inbound_mail_mark_seen(*, inbound: InboundMail, actor) -> None:
    """Staff have looked at mail stored on a closed request."""
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.consultation_id is None:
        raise ValidationError(_("This email is on no request."))
    ensure_staff(actor=actor, consultation=inbound.consultation)
    inbound.needs_attention = False
    inbound.handled_by = actor
    inbound.save(update_fields=["needs_attention", "handled_by", "updated_at"])


# Privacy
# ------------------------------------------------------------------------------


def _erase(*, rows) -> int:
    """Remove the personal data of received mail: the text, the headers,
    the sender and the original message (the stored files once the
    transaction commits). The Message-ID stays, so that the same mail is
    not taken again."""
    names = [name for name in rows.values_list("raw", flat=True) if name]
    count = rows.update(
        from_address="",
        from_name="",
        subject="",
        recipients="",
        headers="",
        body="",
        detail="",
        raw="",
    )
    storage = InboundMail._meta.get_field("raw").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return count


def inbound_mail_erase_for(*, consultation: Consultation) -> int:
    """Anonymization reaches the mail received about a request."""
    return _erase(rows=InboundMail.objects.filter(consultation=consultation))


def inbound_mail_purge_held(*, now) -> int:
    """Mail on no request (unmatched, automatic replies, bounces, refused
    and discarded mail) keeps its personal data INBOUND_RETENTION_DAYS,
    long enough for staff to act on it; the retention job erases it then."""
    cutoff = now - timedelta(days=settings.INBOUND_RETENTION_DAYS)
    rows = InboundMail.objects.filter(
        consultation__isnull=True, received_at__lt=cutoff
    ).exclude(from_address="", headers="", raw="")
    with transaction.atomic():
        return _erase(rows=rows)
