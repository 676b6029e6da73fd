"""Mail handling for replies by email (issue 17): pure functions and
classes, no models. The flow a caller builds from them:

    with ImapSource(config) as source:            # or MaildirSource
        for mail in source.fetch(limit=100):
            message = parse_message(mail.raw, size=mail.size)
            kind = classify(message)               # reply, auto-reply, bounce…
            token = find_reply_token(message, domain)
            text = extract_reply(message.body)     # or NO_TEXT
            ...                                     # store it, commit
            source.ack(mail.uid)                    # only after the commit
"""

from .addresses import (
    find_reference,
    find_reply_token,
    is_reply_token,
    new_reply_token,
    redact_address,
    reply_address,
    token_from_address,
)
from .classify import Classification, MailKind, classify
from .parsing import DEFAULT_MAX_BYTES, Attachment, InboundMessage, parse_message
from .quotes import NO_TEXT, extract_reply
from .sources import (
    AuthKind,
    ImapConfig,
    ImapSource,
    MailboxAuthError,
    MailboxUnavailable,
    MaildirConfig,
    MaildirSource,
    OAuthTokens,
    RawMail,
    Security,
    mailbox_config,
    refresh_access_token,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "NO_TEXT",
    "Attachment",
    "AuthKind",
    "Classification",
    "ImapConfig",
    "ImapSource",
    "InboundMessage",
    "MailKind",
    "MailboxAuthError",
    "MailboxUnavailable",
    "MaildirConfig",
    "MaildirSource",
    "OAuthTokens",
    "RawMail",
    "Security",
    "classify",
    "extract_reply",
    "find_reference",
    "find_reply_token",
    "is_reply_token",
    "mailbox_config",
    "new_reply_token",
    "parse_message",
    "redact_address",
    "refresh_access_token",
    "reply_address",
    "token_from_address",
]
