"""The intake job against a real Dovecot: mail appended over IMAP, read by
the beat task on the real Celery worker (password and XOAUTH2 logins), and
the shared corpus of 56 real messages, each with the outcome its manifest
expects."""

import ssl
import time
import uuid

import pytest
from imap_tools import MailBox

from consultations.inbound import parse_message, refresh_access_token
from consultations.models import Attachment, InboundMail, Message, OAuthGrant
from consultations.services.inbound import inbound_mail_fetch, inbound_source
from consultations.services.notices import consultation_reply_to
from consultations.tasks import inbound_mail_fetch_task
from tests.consultations.inbound_support import (
    PDF,
    REPLY_DOMAIN,
    reply_address,
    reply_mail,
)
from tests.factories import ConsultationFactory
from tests.inbound import dovecot_support as dv
from tests.inbound.test_corpus import CORPUS, addressed, expected_storage, manifest


def imap_client(server, user=dv.PASSWORD_USER):
    context = ssl.create_default_context(cafile=server.ca_file)
    box = MailBox("127.0.0.1", server.dovecot.imaps_port, ssl_context=context)
    if user == dv.OAUTH_USER:
        token = refresh_access_token(inbound_source().config).access_token
        return box.xoauth2(user, token)
    return box.login(user, dv.PASSWORD)


def append(server, folder, *raws, user=dv.PASSWORD_USER):
    with imap_client(server, user) as box:
        if not box.folder.exists(folder):
            box.folder.create(folder)
        for raw in raws:
            box.append(raw, folder)


def unseen(server, folder, user=dv.PASSWORD_USER) -> int:
    with imap_client(server, user) as box:
        box.folder.set(folder)
        return len(box.uids("UNSEEN"))


@pytest.fixture
def imap_folder(settings, imap_server):
    """Intake configured on a fresh folder of Dovecot, password login."""
    folder = f"R{uuid.uuid4().hex[:12]}"
    port = imap_server.dovecot.imaps_port
    settings.INBOUND_MAILBOX = f"imaps://127.0.0.1:{port}/{folder}"
    settings.INBOUND_IMAP_USER = dv.PASSWORD_USER
    settings.INBOUND_IMAP_PASSWORD = dv.PASSWORD
    settings.INBOUND_IMAP_CA_FILE = imap_server.ca_file
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    append(imap_server, folder)
    return folder


def wait_for(condition, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("The worker did not finish in time.")
        time.sleep(0.2)


@pytest.mark.worker
def test_a_reply_appended_over_imap_is_stored_by_the_beat_task_on_the_worker(
    celery_worker, catalog, imap_server, imap_folder
):
    consultation = ConsultationFactory()
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    append(
        imap_server,
        imap_folder,
        reply_mail(
            to=reply_address(consultation),
            sender=consultation.contact_email,
            files=(("תקציב.pdf", PDF, "application/pdf"),),
        ),
    )

    inbound_mail_fetch_task.delay()

    wait_for(lambda: unseen(imap_server, imap_folder) == 0)
    message = Message.objects.get(consultation=consultation)
    assert message.body == "תודה, מצורף התקציב."
    assert Attachment.objects.get(message=message).name == "תקציב.pdf"
    assert InboundMail.objects.get().status == InboundMail.Status.STORED


@pytest.mark.django_db(transaction=True)
def test_an_oauth2_mailbox_is_read_with_a_refreshed_token(
    settings, catalog, imap_server
):
    """Google Workspace and Microsoft 365: XOAUTH2 with an access token the
    provider's token endpoint gives for the configured refresh token."""
    settings.INBOUND_MAILBOX = f"imap://127.0.0.1:{imap_server.dovecot.imap_port}"
    settings.INBOUND_IMAP_USER = dv.OAUTH_USER
    settings.INBOUND_IMAP_CA_FILE = imap_server.ca_file
    settings.INBOUND_OAUTH2_TOKEN_URL = imap_server.oauth.token_url
    settings.INBOUND_OAUTH2_CLIENT_ID = dv.CLIENT_ID
    settings.INBOUND_OAUTH2_CLIENT_SECRET = dv.CLIENT_SECRET
    settings.INBOUND_OAUTH2_REFRESH_TOKEN = imap_server.oauth.refresh_token
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    with imap_client(imap_server, dv.OAUTH_USER) as box:
        for uid in box.uids("UNSEEN"):
            box.flag(uid, "\\Seen", True)
    consultation = ConsultationFactory()
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    append(
        imap_server,
        "INBOX",
        reply_mail(to=reply_address(consultation), sender=consultation.contact_email),
        user=dv.OAUTH_USER,
    )

    assert inbound_mail_fetch() == 1

    assert Message.objects.filter(consultation=consultation).count() == 1
    assert unseen(imap_server, "INBOX", user=dv.OAUTH_USER) == 0


@pytest.mark.django_db(transaction=True)
def test_a_rotated_refresh_token_is_kept_for_the_next_run(
    settings, catalog, imap_server
):
    """Microsoft may answer with a new refresh token and retire the one
    used: the job keeps the new one in the database, and the next run logs
    in with it (with only the settings' token it would be refused)."""
    settings.INBOUND_MAILBOX = f"imap://127.0.0.1:{imap_server.dovecot.imap_port}"
    settings.INBOUND_IMAP_USER = dv.OAUTH_USER
    settings.INBOUND_IMAP_CA_FILE = imap_server.ca_file
    settings.INBOUND_OAUTH2_TOKEN_URL = imap_server.oauth.token_url
    settings.INBOUND_OAUTH2_CLIENT_ID = dv.CLIENT_ID
    settings.INBOUND_OAUTH2_CLIENT_SECRET = dv.CLIENT_SECRET
    settings.INBOUND_OAUTH2_REFRESH_TOKEN = imap_server.oauth.refresh_token
    settings.INBOUND_REPLY_DOMAIN = REPLY_DOMAIN
    with imap_client(imap_server, dv.OAUTH_USER) as box:
        for uid in box.uids("UNSEEN"):
            box.flag(uid, "\\Seen", True)
    consultation = ConsultationFactory()
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    oauth = imap_server.oauth
    oauth.rotate = oauth.retire_rotated = True
    try:
        assert inbound_mail_fetch() == 0  # nothing new; the token rotated
        kept = OAuthGrant.objects.get(purpose="inbound").refresh_token
        assert kept in oauth.rotated
        assert oauth.refresh_token in oauth.retired
        oauth.rotate = False  # the test's own login, which rotates nothing
        append(
            imap_server,
            "INBOX",
            reply_mail(
                to=reply_address(consultation), sender=consultation.contact_email
            ),
            user=dv.OAUTH_USER,
        )
        oauth.rotate = True

        assert inbound_mail_fetch() == 1
    finally:
        oauth.rotate = oauth.retire_rotated = False
        oauth.retired.clear()

    assert Message.objects.filter(consultation=consultation).count() == 1
    assert OAuthGrant.objects.get(purpose="inbound").refresh_token != kept


@pytest.mark.skipif(
    not (CORPUS / "manifest.json").exists(), reason=f"no mail corpus at {CORPUS}"
)
@pytest.mark.django_db(transaction=True)
def test_the_corpus_flows_through_the_job_into_its_expected_outcomes(
    catalog, imap_server, imap_folder
):
    consultation = ConsultationFactory()
    consultation_reply_to(consultation=consultation)
    consultation.refresh_from_db()
    token = consultation.reply_token
    entries = manifest()
    raws = [
        addressed(entry, token).replace(b"portal.example", REPLY_DOMAIN.encode())
        for entry in entries
    ]
    append(imap_server, imap_folder, *raws)

    assert inbound_mail_fetch() == len(raws) == 56

    # One row each, in the order they were appended (the mailbox's order).
    rows = InboundMail.objects.order_by("pk")
    for entry, raw, row in zip(entries, raws, rows, strict=True):
        if not parse_message(raw).message_id_synthesized:
            assert row.message_id == parse_message(raw).message_id[:255]
        stored = row.status == InboundMail.Status.STORED
        assert stored in expected_storage(entry["expected_disposition"]), entry["file"]
        if stored:
            assert row.stored_message.consultation == consultation
            text = row.stored_message.body
            assert text.startswith(entry["expected_visible_text_startswith"])
            for needle in entry["expected_visible_text_must_not_contain"]:
                assert needle not in text, entry["file"]
            if entry["attachments"]:  # kept (type detected), or refused and said
                assert (
                    row.stored_message.attachments.exists()
                    or row.reason == InboundMail.Reason.FILES_REFUSED
                ), entry["file"]
    assert unseen(imap_server, imap_folder) == 0
