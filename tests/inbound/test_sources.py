"""Mailbox sources: a real Dovecot over IMAP (password and XOAUTH2), and a
Maildir folder. A message is acknowledged only when the caller says so."""

import imaplib
import mailbox
import ssl
import uuid

import pytest
from imap_tools import MailBox

from consultations.inbound import (
    AuthKind,
    ImapConfig,
    ImapSource,
    MailboxAuthError,
    MailboxUnavailable,
    MaildirConfig,
    MaildirSource,
    Security,
    parse_message,
    refresh_access_token,
)
from tests.inbound import dovecot_support as dv


def message(number: int, body: str = "hello") -> bytes:
    return (
        f"From: Org <org@example.net>\r\nTo: reply+{'a' * 32}@portal.example\r\n"
        f"Subject: Re: [SH-2026-00012] number {number}\r\n"
        f"Message-ID: <m{number}.{uuid.uuid4().hex}@example.net>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def client(server, user=dv.PASSWORD_USER, password=dv.PASSWORD):
    context = ssl.create_default_context(cafile=server.ca_file)
    box = MailBox("127.0.0.1", server.dovecot.imaps_port, ssl_context=context)
    return box.login(user, password)


@pytest.fixture
def folder(imap_server):
    """A fresh folder of the password user's mailbox, for one test."""
    name = f"T{uuid.uuid4().hex[:12]}"
    with client(imap_server) as box:
        box.folder.create(name)
    return name


def append(server, folder, *raws, user=dv.PASSWORD_USER, password=dv.PASSWORD):
    with client(server, user, password) as box:
        for raw in raws:
            box.append(raw, folder)


def password_config(server, folder, **changes):
    values = dict(
        host="127.0.0.1",
        port=server.dovecot.imaps_port,
        user=dv.PASSWORD_USER,
        password=dv.PASSWORD,
        folder=folder,
        ca_file=server.ca_file,
        # Generous: a loaded machine (CI shares two cores) answers slowly.
        timeout=30,
    )
    values.update(changes)
    return ImapConfig(**values)


def oauth_config(server, folder="INBOX", **changes):
    values = dict(
        host="127.0.0.1",
        port=server.dovecot.imap_port,
        security=Security.STARTTLS,
        user=dv.OAUTH_USER,
        auth=AuthKind.OAUTH2,
        folder=folder,
        token_url=server.oauth.token_url,
        client_id=dv.CLIENT_ID,
        client_secret=dv.CLIENT_SECRET,
        refresh_token=server.oauth.refresh_token,
        ca_file=server.ca_file,
        # Generous: a loaded machine (CI shares two cores) answers slowly.
        timeout=30,
    )
    values.update(changes)
    return ImapConfig(**values)


def test_imap_fetches_unseen_messages_and_only_ack_marks_them_seen(imap_server, folder):
    """Appended messages come back byte for byte; fetching alone changes
    nothing (a crash before the commit loses nothing); after ack a second
    fetch no longer returns them."""
    raws = [message(1), message(2)]
    append(imap_server, folder, *raws)
    config = password_config(imap_server, folder)

    with ImapSource(config) as source:
        first = list(source.fetch())
    assert [mail.raw.replace(b"\r\n", b"\n") for mail in first] == [
        raw.replace(b"\r\n", b"\n") for raw in raws
    ]
    with ImapSource(config) as source:
        again = list(source.fetch())
        assert [mail.uid for mail in again] == [mail.uid for mail in first]
        source.ack(again[0].uid)
    with ImapSource(config) as source:
        rest = list(source.fetch())
        assert [mail.uid for mail in rest] == [first[1].uid]
        source.ack(rest[0].uid)
    with ImapSource(config) as source:
        assert list(source.fetch()) == []
    with client(imap_server) as box:
        box.folder.set(folder)
        assert all("\\Seen" in msg.flags for msg in box.fetch(mark_seen=False))


def test_imap_ack_moves_to_the_processed_folder_when_configured(imap_server, folder):
    append(imap_server, folder, message(3))
    done = f"{folder}-done"
    config = password_config(imap_server, folder, processed_folder=done)
    with ImapSource(config) as source:
        (mail,) = source.fetch()
        source.ack(mail.uid)
    with client(imap_server) as box:
        box.folder.set(folder)
        assert box.uids("ALL") == []
        box.folder.set(done)
        (moved,) = box.fetch(mark_seen=False)
        assert "\\Seen" in moved.flags


def test_imap_over_starttls_and_a_fetch_limit(imap_server, folder):
    append(imap_server, folder, message(4), message(5), message(6))
    config = password_config(
        imap_server, folder, port=imap_server.dovecot.imap_port, security="starttls"
    )
    with ImapSource(config) as source:
        assert len(list(source.fetch(limit=2))) == 2


def test_imap_message_over_the_limit_comes_with_its_headers_only(imap_server, folder):
    """A message over max_bytes is not downloaded whole: the source gives its
    header section and its real size, and the parser reports it too large."""
    append(imap_server, folder, message(7, body="x" * 5000))
    with ImapSource(password_config(imap_server, folder), max_bytes=1000) as source:
        (mail,) = source.fetch()
    assert mail.size > 5000
    assert b"xxxx" not in mail.raw
    parsed = parse_message(mail.raw, size=mail.size, max_bytes=1000)
    assert parsed.too_large and parsed.body == ""
    assert parsed.subject == "Re: [SH-2026-00012] number 7"


def test_imap_login_by_oauth2_with_a_refreshed_token(imap_server):
    """XOAUTH2 for real: the token endpoint turns the refresh token into an
    access token; Dovecot checks it through the introspection endpoint."""
    config = oauth_config(imap_server)
    context = ssl.create_default_context(cafile=imap_server.ca_file)
    folder = f"O{uuid.uuid4().hex[:12]}"
    with MailBox(
        "127.0.0.1", imap_server.dovecot.imaps_port, ssl_context=context
    ) as box:
        box.xoauth2(dv.OAUTH_USER, refresh_access_token(config).access_token)
        box.folder.create(folder)
        box.append(message(8), folder)
    refreshes = imap_server.oauth.refreshes
    config = oauth_config(imap_server, folder=folder)
    with ImapSource(config) as source:
        (mail,) = source.fetch()
        source.ack(mail.uid)
        assert source.refresh_token == config.refresh_token
    assert imap_server.oauth.refreshes == refreshes + 1
    with ImapSource(config) as source:
        assert list(source.fetch()) == []


def test_a_rotated_refresh_token_is_handed_to_the_caller(imap_server):
    """A provider that answers with a new refresh token: the source keeps it
    for the caller to store, and it works for the next login."""
    imap_server.oauth.rotate = True
    try:
        with ImapSource(oauth_config(imap_server)) as source:
            rotated = source.refresh_token
        assert rotated != imap_server.oauth.refresh_token
        with ImapSource(oauth_config(imap_server, refresh_token=rotated)) as source:
            assert source.refresh_token not in (rotated, None)
    finally:
        imap_server.oauth.rotate = False


def test_a_refused_refresh_token_is_an_auth_error(imap_server):
    config = oauth_config(imap_server, refresh_token="revoked")
    with pytest.raises(MailboxAuthError, match="invalid_grant"):
        ImapSource(config).open()


def test_a_server_that_is_down_raises_mailbox_unavailable(imap_server):
    """Nothing listens on the port: one clear exception, for the caller to
    retry on its next run."""
    config = password_config(imap_server, "INBOX", port=dv.free_port(), timeout=2)
    with pytest.raises(MailboxUnavailable, match="cannot connect"):
        ImapSource(config).open()


def test_a_missing_folder_is_unavailable_not_an_auth_error(imap_server):
    config = password_config(imap_server, "No such folder")
    with pytest.raises(MailboxUnavailable, match="cannot open") as raised:
        ImapSource(config).open()
    assert not isinstance(raised.value, MailboxAuthError)


def test_a_certificate_the_client_does_not_trust_is_refused(imap_server):
    config = password_config(imap_server, "INBOX", ca_file="", timeout=5)
    with pytest.raises(MailboxUnavailable):
        ImapSource(config).open()


def test_an_unreachable_token_endpoint_raises_mailbox_unavailable(imap_server):
    config = oauth_config(
        imap_server, token_url=f"https://127.0.0.1:{dv.free_port()}/token", timeout=2
    )
    with pytest.raises(MailboxUnavailable):
        ImapSource(config).open()


# Failed logins last: Dovecot slows the next logins from the address.


def test_dovecot_refuses_an_access_token_the_provider_does_not_know(imap_server):
    """The oauth2 password database really asks the provider: a made-up
    access token does not log in."""
    context = ssl.create_default_context(cafile=imap_server.ca_file)
    box = MailBox("127.0.0.1", imap_server.dovecot.imaps_port, ssl_context=context)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        box.xoauth2(dv.OAUTH_USER, "not-a-token-the-provider-issued")
    box.logout()


def test_a_wrong_password_is_an_auth_error(imap_server):
    with pytest.raises(MailboxAuthError):
        ImapSource(password_config(imap_server, "INBOX", password="wrong")).open()


# Maildir


def deliver(path, *raws):
    folder = mailbox.Maildir(path, factory=None, create=True)
    return [folder.add(mailbox.MaildirMessage(raw)) for raw in raws]


def test_maildir_fetches_new_mail_and_ack_moves_it_to_cur_as_seen(tmp_path):
    raws = [message(10), message(11)]
    keys = deliver(tmp_path / "inbox", *raws)
    config = MaildirConfig(path=str(tmp_path / "inbox"))
    with MaildirSource(config) as source:
        fetched = list(source.fetch())
        assert sorted(mail.uid for mail in fetched) == sorted(keys)
        # The standard library writes Maildir files with \n line ends.
        assert {mail.raw for mail in fetched} == {
            raw.replace(b"\r\n", b"\n") for raw in raws
        }
    with MaildirSource(config) as source:
        assert len(list(source.fetch())) == 2  # nothing acked yet
        source.ack(keys[0])
    with MaildirSource(config) as source:
        assert [mail.uid for mail in source.fetch()] == [keys[1]]
    folder = mailbox.Maildir(tmp_path / "inbox", create=False)
    acked = folder.get_message(keys[0])
    assert acked.get_subdir() == "cur" and "S" in acked.get_flags()
    assert list((tmp_path / "inbox" / "new").iterdir())  # the other one waits


def test_maildir_ack_moves_into_the_processed_subfolder(tmp_path):
    (key,) = deliver(tmp_path / "inbox", message(12))
    config = MaildirConfig(path=str(tmp_path / "inbox"), processed_folder="Processed")
    with MaildirSource(config) as source:
        source.ack(key)
        assert list(source.fetch()) == []
    processed = mailbox.Maildir(tmp_path / "inbox" / ".Processed", create=False)
    (moved,) = processed.values()
    assert "S" in moved.get_flags()


def test_maildir_message_over_the_limit_comes_with_its_headers_only(tmp_path):
    deliver(tmp_path / "inbox", message(13, body="y" * 5000))
    config = MaildirConfig(path=str(tmp_path / "inbox"))
    with MaildirSource(config, max_bytes=1000) as source:
        (mail,) = source.fetch()
    assert mail.size > 5000 and b"yyyy" not in mail.raw
    assert parse_message(mail.raw, size=mail.size, max_bytes=1000).too_large


def test_a_missing_maildir_raises_mailbox_unavailable(tmp_path):
    with pytest.raises(MailboxUnavailable):
        MaildirSource(MaildirConfig(path=str(tmp_path / "nowhere"))).open()
    MaildirSource(MaildirConfig(path=str(tmp_path / "made"), create=True)).open()
    assert (tmp_path / "made" / "new").is_dir()


def test_maildir_reads_the_seen_flag_from_the_file_name(tmp_path):
    """A message a mail client already moved to cur/ is still new to the
    portal until it carries S; one with S is done."""
    folder = mailbox.Maildir(tmp_path / "inbox", factory=None, create=True)
    flagged, seen = (
        mailbox.MaildirMessage(message(14)),
        mailbox.MaildirMessage(message(15)),
    )
    flagged.set_subdir("cur")
    flagged.set_flags("F")
    seen.set_subdir("cur")
    seen.set_flags("S")
    flagged_key, _seen_key = folder.add(flagged), folder.add(seen)
    with MaildirSource(MaildirConfig(path=str(tmp_path / "inbox"))) as source:
        assert [mail.uid for mail in source.fetch()] == [flagged_key]
