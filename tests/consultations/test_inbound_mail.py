"""Replies by email become messages on the request (issue 17): the reply
address on every email, and the intake job reading a real Maildir, each
message in its own transaction, acknowledged only after the commit."""

import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from consultations.inbound import parse_message
from consultations.models import (
    Attachment,
    Consultation,
    InboundMail,
    Message,
    OutboundEmail,
)
from consultations.services import inbound as inbound_service
from consultations.services.inbound import (
    inbound_mail_attach,
    inbound_mail_fetch,
    inbound_mail_receive,
)
from consultations.services.notices import consultation_reply_to
from consultations.services.requester import consultation_message_from_organization
from consultations.services.retention import consultation_anonymize
from consultations.services.workspace import consultation_message_organization
from tests.consultations.followup_support import set_status
from tests.consultations.inbound_support import (
    PDF,
    PROGRAM,
    REPLY_DOMAIN,
    deliver,
    reply_address,
    reply_mail,
    unseen,
)
from tests.factories import ConsultationFactory
from tests.migration_data import restore_staff_groups

Status = InboundMail.Status
Reason = InboundMail.Reason


@pytest.fixture
def groups(transactional_db):
    """The staff groups, which a transactional test's flush removed."""
    restore_staff_groups()


@pytest.fixture
def maildir(settings, tmp_path):
    """Intake configured on a Maildir, as `make run` has it."""
    folder = tmp_path / "mail-inbound"
    settings.INBOUND_MAILBOX = str(folder)
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    settings.STAFF_INBOX_EMAIL = "staff@example.org"
    deliver(folder)  # an empty Maildir
    return folder


@pytest.fixture
def request_with_address(catalog, maildir):
    """A request whose emails carried its reply address."""
    consultation = ConsultationFactory(contact_email="contact@example.org")
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    return consultation


# The reply address
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_email_about_a_request_carries_its_own_reply_address(
    catalog, maildir, advisor
):
    consultation = ConsultationFactory(advisor=advisor, status="in_progress")

    consultation_message_organization(
        consultation=consultation, author=advisor, body="שלום"
    )
    consultation_message_from_organization(consultation=consultation, body="תודה")

    consultation.refresh_from_db()
    token = consultation.reply_token
    assert len(token) == 32 and token not in consultation.status_token_hash
    address = f"reply+{token}@{REPLY_DOMAIN}"
    to_organization = OutboundEmail.objects.get(kind="message_to_org")
    to_advisor = OutboundEmail.objects.get(kind="message_to_staff")
    assert to_organization.reply_to == to_advisor.reply_to == address
    assert consultation.reference in to_organization.context["reference"]
    other = ConsultationFactory()
    assert consultation_reply_to(consultation=other) != address


@pytest.mark.django_db
def test_until_intake_is_configured_replies_go_to_the_advisor(catalog, advisor):
    consultation = ConsultationFactory(advisor=advisor, status="in_progress")

    assert consultation_reply_to(consultation=consultation) == advisor.email
    assert consultation_reply_to(consultation=consultation, to_staff=True) == ""
    consultation.refresh_from_db()
    assert consultation.reply_token is None


# The job, on a Maildir
# ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_reply_becomes_a_message_without_its_quote_with_its_files(
    request_with_address, maildir
):
    consultation = request_with_address
    set_status(consultation, "in_progress")
    set_status(consultation, "waiting")
    raw = reply_mail(
        to=reply_address(consultation),
        files=(
            ("תקציב.pdf", PDF, "application/pdf"),
            ("\u202eexe.pdf", PROGRAM, "application/pdf"),
        ),
    )
    deliver(maildir, raw, raw)  # delivered twice: stored once

    assert inbound_mail_fetch() == 2

    message = Message.objects.get(consultation=consultation)
    assert message.direction == Message.Direction.FROM_ORGANIZATION
    assert message.body == "תודה, מצורף התקציב."
    (attachment,) = Attachment.objects.filter(message=message)
    assert (attachment.name, attachment.sender) == ("תקציב.pdf", "mail")
    inbound = InboundMail.objects.get()
    assert inbound.status == Status.STORED
    assert inbound.stored_message == message
    assert inbound.reason == Reason.FILES_REFUSED
    assert "exe.pdf" in inbound.detail and "\u202e" not in inbound.detail
    assert inbound.raw.read() == raw
    # The same effects as a message on the status page.
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.IN_PROGRESS
    staff_email = OutboundEmail.objects.get(kind="message_to_staff")
    assert staff_email.to_address == "staff@example.org"
    assert staff_email.reply_to == reply_address(consultation)
    assert unseen(maildir) == 0
    assert inbound_mail_fetch() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_transaction_leaves_the_mail_unread(
    request_with_address, maildir, monkeypatch, caplog
):
    consultation = request_with_address
    deliver(maildir, reply_mail(to=reply_address(consultation)))

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(
        inbound_service, "consultation_message_from_organization", broken
    )
    with caplog.at_level(logging.ERROR):
        assert inbound_mail_fetch() == 0

    failed = InboundMail.objects.get()
    assert (failed.status, failed.attempts) == (Status.FAILED, 1)
    assert "the database went away" in failed.detail
    assert not Message.objects.exists()
    assert unseen(maildir) == 1
    assert "stays unread" in caplog.text

    monkeypatch.undo()
    assert inbound_mail_fetch() == 1
    assert Message.objects.filter(consultation=consultation).count() == 1
    stored = InboundMail.objects.get()
    assert (stored.status, stored.attempts) == (Status.STORED, 1)
    assert unseen(maildir) == 0


@pytest.fixture
def broken_storage():
    """The private storage fails for received mail, as a full or misplaced
    disk does: a file stands where its folder must be created (a real
    failure of the real storage, nothing replaced)."""
    folder = Path(django_settings.ATTACHMENTS_ROOT) / "inbound"
    aside = folder.with_name("inbound-aside")
    if folder.exists():
        folder.rename(aside)
    folder.write_bytes(b"")
    yield
    folder.unlink()
    if aside.exists():
        aside.rename(folder)


@pytest.mark.django_db(transaction=True)
def test_a_message_that_fails_every_run_is_quarantined_for_staff_and_taken_off(
    groups, request_with_address, maildir, settings, broken_storage, client, coordinator
):
    """Not retried forever: after INBOUND_MAX_ATTEMPTS failed runs it is
    listed for staff with the error, and acknowledged on the server; the
    job goes on taking the rest."""
    settings.INBOUND_MAX_ATTEMPTS = 3
    raw = reply_mail(to=reply_address(request_with_address), subject="Re: נתקע")
    deliver(maildir, raw)

    assert inbound_mail_fetch() == 0
    assert inbound_mail_fetch() == 0
    failed = InboundMail.objects.get()
    assert (failed.status, failed.attempts) == (Status.FAILED, 2)
    assert unseen(maildir) == 1

    assert inbound_mail_fetch() == 1

    quarantined = InboundMail.objects.get()
    assert quarantined.status == Status.QUARANTINED
    assert quarantined.reason == Reason.FAILED
    assert quarantined.attempts == 3
    assert "FileExistsError" in quarantined.detail
    assert quarantined.subject == "Re: נתקע"
    # Its request, so that the crisis rule applies to it in the admin.
    assert quarantined.consultation == request_with_address
    assert not quarantined.raw  # the storage that failed did not take it
    assert unseen(maildir) == 0
    assert not Message.objects.exists()
    assert inbound_mail_fetch() == 0  # nothing left, nothing crashed

    client.force_login(coordinator)
    with translation.override("he"):
        url = reverse("admin:consultations_inboundmail_changelist")
        response = client.get(url)
        reason = str(Reason.FAILED.label)
    content = response.content.decode()
    assert f"/{quarantined.pk}/change/" in content
    assert reason in content
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="only be discarded"),
    ):
        inbound_mail_attach(
            inbound=quarantined, consultation=request_with_address, actor=coordinator
        )


@pytest.mark.django_db(transaction=True)
def test_each_kind_of_bad_or_foreign_mail_gets_its_outcome(
    request_with_address, maildir, settings
):
    consultation = request_with_address
    address = reply_address(consultation)
    settings.INBOUND_MAX_BYTES = 200_000
    forged = f"reply+{'0' * 32}@{REPLY_DOMAIN}"
    mails = {
        "auto": reply_mail(to=address, headers={"Auto-Submitted": "auto-replied"}),
        "bounce": reply_mail(to=address, sender="mailer-daemon@example.net", quoted=""),
        "forged": reply_mail(to=forged),
        "stranger": reply_mail(
            to="portal@example.org",
            sender="someone@example.com",
            subject=f"Re: {consultation.reference}",
        ),
        "contact": reply_mail(
            to="portal@example.org", subject=f"Re: [{consultation.reference}]"
        ),
        "empty": reply_mail(to=address, text="", quoted="> only a quote"),
        "large": reply_mail(
            to=address, files=(("big.pdf", PDF + b"0" * 300_000, "application/pdf"),)
        ),
        "malformed": b"From: <contact@example.org>\nTo: "
        + address.encode()
        + b"\nContent-Type: multipart/mixed; boundary=\n\n--\x00\xff garbage",
    }
    deliver(maildir, *mails.values())

    assert inbound_mail_fetch() == len(mails)

    def outcome(name):
        row = InboundMail.objects.get(message_id=parse_message(mails[name]).message_id)
        return row.status, row.reason

    assert outcome("auto") == (Status.AUTO_REPLY, Reason.MACHINE)
    assert outcome("bounce") == (Status.BOUNCE, Reason.MACHINE)
    assert outcome("forged") == (Status.UNMATCHED, Reason.UNKNOWN_ADDRESS)
    assert outcome("stranger") == (Status.UNMATCHED, Reason.UNKNOWN_SENDER)
    assert outcome("contact") == (Status.STORED, "")
    assert outcome("empty") == (Status.UNMATCHED, Reason.NO_TEXT)
    assert outcome("large") == (Status.REFUSED, Reason.TOO_LARGE)
    assert outcome("malformed")[0] in (Status.STORED, Status.UNMATCHED)
    # Nothing is ever answered: no email to any sender.
    assert not OutboundEmail.objects.exclude(to_address="staff@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_to_a_closed_request_is_kept_and_flagged_not_reopened(
    request_with_address, maildir
):
    consultation = request_with_address
    set_status(consultation, "completed")
    deliver(maildir, reply_mail(to=reply_address(consultation)))

    inbound_mail_fetch()

    inbound = InboundMail.objects.get()
    assert (inbound.status, inbound.needs_attention) == (Status.STORED, True)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_an_advisor_answering_from_a_mail_client_writes_to_the_organization(
    request_with_address, maildir, groups, advisor
):
    consultation = request_with_address
    consultation.advisor = advisor
    consultation.save()
    set_status(consultation, "in_progress")
    deliver(maildir, reply_mail(to=reply_address(consultation), sender=advisor.email))

    inbound_mail_fetch()

    message = Message.objects.get(consultation=consultation)
    assert message.direction == Message.Direction.TO_ORGANIZATION
    assert message.author == advisor
    email = OutboundEmail.objects.get(kind="message_to_org")
    assert email.to_address == consultation.contact_email

    # Someone else writing in the advisor's name, which the receiving
    # server could not verify, is held for staff.
    forged = reply_mail(
        to=reply_address(consultation),
        sender=advisor.email,
        headers={"Authentication-Results": "mx.example.org; spf=fail; dmarc=fail"},
    )
    deliver(maildir, forged)
    inbound_mail_fetch()
    held = InboundMail.objects.get(message_id=parse_message(forged).message_id)
    assert (held.status, held.reason) == (Status.UNMATCHED, Reason.UNVERIFIED_SENDER)
    assert Message.objects.filter(consultation=consultation).count() == 1


@pytest.mark.django_db(transaction=True)
def test_anonymizing_revokes_the_reply_address_and_erases_received_mail(
    request_with_address, maildir
):
    consultation = request_with_address
    address = reply_address(consultation)
    deliver(maildir, reply_mail(to=address))
    inbound_mail_fetch()
    stored = InboundMail.objects.get()
    raw_name = stored.raw.name

    consultation_anonymize(consultation=consultation, reason="data-subject request")

    consultation.refresh_from_db()
    assert consultation.reply_token is None
    stored.refresh_from_db()
    assert (stored.from_address, stored.subject, stored.body, stored.raw.name) == (
        "",
        "",
        "",
        "",
    )
    assert not stored.raw.storage.exists(raw_name)
    deliver(maildir, reply_mail(to=address))
    inbound_mail_fetch()
    later = InboundMail.objects.exclude(pk=stored.pk).get()
    assert (later.status, later.reason) == (Status.UNMATCHED, Reason.UNKNOWN_ADDRESS)
    assert later.consultation is None
    assert Message.objects.filter(consultation=consultation).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mailbox_that_is_down_is_logged_and_retried(settings, caplog):
    settings.INBOUND_MAILBOX = "imaps://127.0.0.1:1/INBOX"
    settings.INBOUND_IMAP_USER = "portal@example.org"
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN

    with caplog.at_level(logging.WARNING):
        assert inbound_mail_fetch() == 0

    assert "unavailable" in caplog.text


@pytest.mark.django_db
def test_the_same_message_id_is_stored_once(request_with_address):
    raw = reply_mail(to=reply_address(request_with_address))

    first = inbound_mail_receive(raw=raw)
    second = inbound_mail_receive(raw=raw)

    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert django_settings.INBOUND_BATCH_SIZE > 0


@pytest.mark.django_db(transaction=True)
def test_a_burst_is_taken_in_bounded_batches(request_with_address, maildir, settings):
    """1,000 messages at once: each run takes INBOUND_BATCH_SIZE, the next
    run the rest (here 3 of 5, then 2)."""
    settings.INBOUND_BATCH_SIZE = 3
    address = reply_address(request_with_address)
    deliver(maildir, *(reply_mail(to=address, text=f"הודעה {n}") for n in range(5)))

    assert inbound_mail_fetch() == 3
    assert unseen(maildir) == 2
    assert inbound_mail_fetch() == 2
    assert Message.objects.filter(consultation=request_with_address).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_literal_burst_of_a_thousand_messages_is_taken_once_in_bounded_runs(
    maildir, settings
):
    """1,000 small messages land at once (generated here): each run takes
    at most INBOUND_BATCH_SIZE (250), four runs take them all, a fifth finds
    nothing, and each message is stored exactly once. Sent to no reply
    address, so that each is held for staff: the burst tests the intake, not
    the notices a reply sends. Measured at 10-18 s on two shared cores."""
    settings.INBOUND_BATCH_SIZE = 250
    sent = [
        reply_mail(
            to="portal@example.org",
            sender=f"sender{n}@example.com",
            subject=f"הודעה {n}",
            text=f"גוף {n}",
            quoted="",
            message_id=f"<burst-{n}@mail.example.net>",
        )
        for n in range(1000)
    ]
    deliver(maildir, *sent)

    runs = [inbound_mail_fetch() for _ in range(5)]

    assert runs == [250, 250, 250, 250, 0]
    assert unseen(maildir) == 0
    ids = set(InboundMail.objects.values_list("message_id", flat=True))
    assert ids == {f"burst-{n}@mail.example.net" for n in range(1000)}
    assert InboundMail.objects.count() == 1000
    assert set(InboundMail.objects.values_list("status", flat=True)) == {
        Status.UNMATCHED
    }
