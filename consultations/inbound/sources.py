"""Where mail comes from: an IMAP mailbox or a Maildir folder.

Both work the same way: ``fetch()`` yields the messages not yet processed,
each as a RawMail (uid, raw bytes, size), and leaves them as they are;
``ack(uid)`` marks one processed. The caller acks a message only after its
database transaction has committed, so a crash in between means the
message is read again next run (and its Message-ID keeps it from being
stored twice), never lost. A mailbox that cannot be reached raises
MailboxUnavailable, for the caller to log and retry on its next run.
"""

import enum
import imaplib
import mailbox
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from imap_tools import MailBox, MailBoxStartTls, MailMessageFlags
from imap_tools.errors import ImapToolsError

from consultations import oauth2
from consultations.oauth2 import (
    OAuthClient,
    OAuthRefreshError,
    OAuthTokens,
    OAuthUnavailable,
)

from .parsing import DEFAULT_MAX_BYTES, header_section


class MailboxUnavailable(Exception):
    """The mailbox cannot be read now: down, unreachable, refused or
    misconfigured. Nothing was acknowledged; try again on the next run."""


class MailboxAuthError(MailboxUnavailable):
    """The server or the token endpoint refused the credentials."""


class RawMail(NamedTuple):
    uid: str
    raw: bytes  # the whole message; only its headers when size > max_bytes
    size: int  # the whole message's size, as the mailbox reports it


class Security(enum.StrEnum):
    SSL = "ssl"  # TLS from the start (port 993)
    STARTTLS = "starttls"  # plain connection upgraded to TLS (port 143)


class AuthKind(enum.StrEnum):
    PASSWORD = "password"
    OAUTH2 = "oauth2"  # XOAUTH2 with an access token from a refresh token


@dataclass(frozen=True)
class ImapConfig:
    host: str
    user: str
    port: int = 993
    security: Security = Security.SSL
    auth: AuthKind = AuthKind.PASSWORD
    password: str = field(default="", repr=False)
    folder: str = "INBOX"
    # Where an acknowledged message goes; empty: it stays, marked \Seen.
    processed_folder: str = ""
    # OAuth 2.0: the provider's token endpoint and the app's registration,
    # e.g. https://oauth2.googleapis.com/token or
    # https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.
    token_url: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    scope: str = ""
    # A CA bundle for a server with a private certificate (else the system's).
    ca_file: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class MaildirConfig:
    path: str
    # A Maildir++ subfolder (".Processed") that acknowledged messages move
    # to; empty: they move from new/ to cur/ with the S (seen) flag.
    processed_folder: str = ""
    create: bool = False


# What a mailbox that is down or misconfigured raises from below.
_CONNECTION_ERRORS = (
    OSError,
    socket.timeout,
    ssl.SSLError,
    imaplib.IMAP4.error,
    ImapToolsError,
)


def refresh_access_token(config: ImapConfig) -> OAuthTokens:
    """A fresh access token for XOAUTH2, from the refresh token (through
    consultations/oauth2.py, the one place that refreshes tokens, which
    outgoing SMTP uses too)."""
    client = OAuthClient(
        token_url=config.token_url,
        client_id=config.client_id,
        refresh_token=config.refresh_token,
        client_secret=config.client_secret,
        scope=config.scope,
        ca_file=config.ca_file,
        timeout=config.timeout,
    )
    try:
        return oauth2.refresh_access_token(client)
    except OAuthRefreshError as error:
        raise MailboxAuthError(str(error)) from None
    except OAuthUnavailable as error:
        raise MailboxUnavailable(str(error)) from None


class ImapSource:
    """An IMAP folder through imap-tools. Use as a context manager:

    with ImapSource(config) as source:
        for mail in source.fetch(limit=100):
            ...  # store it, commit
            source.ack(mail.uid)
    """

    def __init__(self, config: ImapConfig, *, max_bytes: int = DEFAULT_MAX_BYTES):
        self.config = config
        self.max_bytes = max_bytes
        # After an OAuth 2.0 login: the refresh token to keep for the next
        # run (the caller stores it when it differs from the config's).
        self.refresh_token = config.refresh_token
        self._box = None
        self._processed_ready = False

    def _ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.ca_file or None)

    def open(self) -> "ImapSource":
        config = self.config
        try:
            if config.security == Security.STARTTLS:
                box = MailBoxStartTls(
                    config.host,
                    config.port,
                    timeout=config.timeout,
                    ssl_context=self._ssl_context(),
                )
            else:
                box = MailBox(
                    config.host,
                    config.port,
                    timeout=config.timeout,
                    ssl_context=self._ssl_context(),
                )
        except _CONNECTION_ERRORS as error:
            raise MailboxUnavailable(
                f"cannot connect to {config.host}:{config.port}: {error}"
            ) from None
        try:
            if config.auth == AuthKind.OAUTH2:
                tokens = refresh_access_token(config)
                self.refresh_token = tokens.refresh_token
                box.xoauth2(
                    config.user, tokens.access_token, initial_folder=config.folder
                )
            else:
                box.login(config.user, config.password, initial_folder=config.folder)
        except MailboxUnavailable:
            _close_quietly(box)
            raise
        except _CONNECTION_ERRORS as error:
            _close_quietly(box)
            if (
                "login" in type(error).__name__.lower()
                or "authenticat" in str(error).lower()
            ):
                raise MailboxAuthError(f"{config.host} refused the login") from None
            raise MailboxUnavailable(
                f"cannot open {config.folder} on {config.host}: {error}"
            ) from None
        self._box = box
        return self

    def close(self) -> None:
        if self._box is not None:
            _close_quietly(self._box)
            self._box = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc_info):
        self.close()

    def fetch(self, *, limit: int | None = None) -> Iterator[RawMail]:
        """The folder's unseen messages, oldest first, read without marking
        them seen. A message over max_bytes comes with its headers only."""
        box = self._require_open()
        try:
            uids = box.uids("UNSEEN")
            if limit is not None:
                uids = uids[:limit]
            for uid in uids:
                size = self._size(uid)
                part = "BODY.PEEK[HEADER]" if size > self.max_bytes else "BODY.PEEK[]"
                raw = self._fetch_part(uid, part)
                if raw is not None:
                    yield RawMail(uid=uid, raw=raw, size=size or len(raw))
        except _CONNECTION_ERRORS as error:
            raise MailboxUnavailable(
                f"reading {self.config.folder} failed: {error}"
            ) from None

    def ack(self, uid: str) -> None:
        """Mark one message processed: \\Seen, and moved to the processed
        folder when one is configured."""
        box = self._require_open()
        try:
            box.flag(uid, MailMessageFlags.SEEN, True)
            folder = self.config.processed_folder
            if folder:
                if not self._processed_ready:
                    if not box.folder.exists(folder):
                        box.folder.create(folder)
                    self._processed_ready = True
                box.move(uid, folder)
        except _CONNECTION_ERRORS as error:
            raise MailboxUnavailable(
                f"acknowledging a message failed: {error}"
            ) from None

    def _require_open(self):
        if self._box is None:
            raise RuntimeError("open the source first (use it in a with block)")
        return self._box

    def _size(self, uid: str) -> int:
        status, data = self._box.client.uid("FETCH", uid, "(RFC822.SIZE)")
        for item in data or ():
            line = item[0] if isinstance(item, tuple) else item
            match = re.search(rb"RFC822\.SIZE (\d+)", line or b"")
            if match:
                return int(match.group(1))
        return 0

    def _fetch_part(self, uid: str, part: str) -> bytes | None:
        status, data = self._box.client.uid("FETCH", uid, f"({part})")
        if status != "OK":
            raise MailboxUnavailable(f"the server refused to fetch message {uid}")
        for item in data or ():
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        return None  # expunged meanwhile


def _close_quietly(box) -> None:
    try:
        box.logout()
    except Exception:  # noqa: BLE001 - closing a broken connection
        try:
            box.client.shutdown()
        except Exception:  # noqa: BLE001
            pass


class MaildirSource:
    """A Maildir folder (the standard library's mailbox.Maildir), as an MTA
    delivers into, and as `make run` uses. A message is unprocessed until
    it carries the S flag (or has moved to the processed folder)."""

    def __init__(self, config: MaildirConfig, *, max_bytes: int = DEFAULT_MAX_BYTES):
        self.config = config
        self.max_bytes = max_bytes
        self._maildir = None

    def open(self) -> "MaildirSource":
        path = self.config.path
        if not self.config.create and not os.path.isdir(os.path.join(path, "new")):
            raise MailboxUnavailable(f"{path} is not a Maildir folder")
        try:
            self._maildir = mailbox.Maildir(
                path, factory=None, create=self.config.create
            )
            self._maildir.keys()
        except OSError as error:
            raise MailboxUnavailable(f"cannot read {path}: {error}") from None
        return self

    def close(self) -> None:
        self._maildir = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc_info):
        self.close()

    def fetch(self, *, limit: int | None = None) -> Iterator[RawMail]:
        """Messages without the S flag, in delivery order (the names begin
        with the delivery time)."""
        maildir = self._require_open()
        try:
            keys = self._unseen_keys()
        except OSError as error:
            raise MailboxUnavailable(
                f"cannot list {self.config.path}: {error}"
            ) from None
        count = 0
        for key in keys:
            if limit is not None and count >= limit:
                return
            try:
                with maildir.get_file(key) as handle:
                    raw = handle.read(self.max_bytes + 1)
                    size = len(raw)
                    if size > self.max_bytes:
                        # Too large: keep the headers, count the rest.
                        raw = header_section(raw)
                        while chunk := handle.read(1024 * 1024):
                            size += len(chunk)
            except KeyError:
                continue  # removed meanwhile
            except OSError as error:
                raise MailboxUnavailable(
                    f"cannot read {self.config.path}: {error}"
                ) from None
            count += 1
            yield RawMail(uid=key, raw=raw, size=size)

    def _unseen_keys(self) -> list[str]:
        # The flags are in the file names ("<key>:2,<flags>"): read them
        # there rather than open every message.
        colon = self._maildir.colon
        keys = []
        for subdir in ("new", "cur"):
            for name in os.listdir(os.path.join(self.config.path, subdir)):
                if name.startswith("."):
                    continue
                key, _, info = name.partition(colon)
                if "S" not in (info[2:] if info.startswith("2,") else ""):
                    keys.append(key)
        return sorted(keys)

    def ack(self, uid: str) -> None:
        """Move the message to cur/ with the S flag, or into the processed
        subfolder. The file is renamed or copied byte for byte, never
        parsed and written again (a malformed message would not survive)."""
        maildir = self._require_open()
        colon = maildir.colon
        try:
            found = self._path_of(uid)
            if found is None:
                return  # removed meanwhile
            subdir, name = found
            source = os.path.join(self.config.path, subdir, name)
            folder = self.config.path
            if self.config.processed_folder:
                folder_name = self.config.processed_folder
                if folder_name not in maildir.list_folders():
                    maildir.add_folder(folder_name)
                folder = os.path.join(folder, f".{folder_name}")
            _, _, info = name.partition(colon)
            flags = info[2:] if info.startswith("2,") else ""
            flags = "".join(sorted(set(flags) | {"S"}))
            os.rename(source, os.path.join(folder, "cur", f"{uid}{colon}2,{flags}"))
        except OSError as error:
            raise MailboxUnavailable(
                f"cannot update {self.config.path}: {error}"
            ) from None

    def _path_of(self, uid: str) -> tuple[str, str] | None:
        colon = self._maildir.colon
        for subdir in ("new", "cur"):
            for name in os.listdir(os.path.join(self.config.path, subdir)):
                if name.partition(colon)[0] == uid:
                    return subdir, name
        return None

    def _require_open(self):
        if self._maildir is None:
            raise RuntimeError("open the source first (use it in a with block)")
        return self._maildir


def mailbox_config(
    url: str,
    *,
    user: str = "",
    password: str = "",
    processed_folder: str = "",
    ca_file: str = "",
    token_url: str = "",
    client_id: str = "",
    client_secret: str = "",
    refresh_token: str = "",
    scope: str = "",
) -> ImapConfig | MaildirConfig:
    """The source a setting names: ``imaps://host[:993][/folder]`` (TLS from
    the start), ``imap://host[:143][/folder]`` (STARTTLS), or a Maildir
    folder (``maildir:///path`` or a plain path). The user may also be in
    the URL (``imaps://user%40example.org@host``). With a refresh token the
    login is OAuth 2.0 (XOAUTH2), else the password."""
    from urllib.parse import unquote, urlsplit

    url = url.strip()
    if not url:
        raise MailboxUnavailable("no mailbox is configured")
    if url.startswith("maildir://"):
        return MaildirConfig(
            path=unquote(urlsplit(url).path), processed_folder=processed_folder
        )
    if "://" not in url:
        return MaildirConfig(path=url, processed_folder=processed_folder)
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise MailboxUnavailable("the mailbox must be imaps://, imap:// or Maildir")
    security = Security.SSL if parts.scheme == "imaps" else Security.STARTTLS
    try:
        port = parts.port or (993 if security == Security.SSL else 143)
    except ValueError:
        raise MailboxUnavailable("the mailbox URL has a bad port") from None
    return ImapConfig(
        host=parts.hostname,
        port=port,
        security=security,
        user=user or unquote(parts.username or ""),
        password=password or unquote(parts.password or ""),
        auth=AuthKind.OAUTH2 if refresh_token else AuthKind.PASSWORD,
        folder=unquote(parts.path.strip("/")) or "INBOX",
        processed_folder=processed_folder,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        scope=scope,
        ca_file=ca_file,
    )
