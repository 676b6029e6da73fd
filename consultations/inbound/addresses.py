"""A request's reply address, and finding it (or the reference) in mail.

The address is ``reply+<token>@<domain>``; the token is 32 lowercase hex
characters (``secrets.token_hex(16)``, 128 random bits, as Zulip's email
gateway uses). This module only reads and writes the format: whether a
token belongs to a request, or was revoked, is the database's answer.
"""

import re
import secrets

from .parsing import InboundMessage
from .text import clean_line

REPLY_PREFIX = "reply"
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
# SH-2026-00042: the year, then at least five digits (services/intake.py).
REFERENCE_PATTERN = re.compile(r"(?<![\w-])SH-(\d{4})-(\d{5,})(?![\w-])", re.IGNORECASE)


def new_reply_token() -> str:
    return secrets.token_hex(16)


def is_reply_token(value: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(value))


def reply_address(token: str, domain: str) -> str:
    """The Reply-To of a request's emails."""
    if not is_reply_token(token):
        raise ValueError("not a reply token")
    domain = domain.strip().lower()
    if not domain or "@" in domain:
        raise ValueError("not a mail domain")
    return f"{REPLY_PREFIX}+{token}@{domain}"


def token_from_address(address: str, domain: str | None = None) -> str | None:
    """The token in one address, or None.

    Case does not matter (some mail systems upper-case addresses). Extra
    ``+`` tags around it are tolerated, as a mailbox's own sub-addressing
    adds them (``shatil+reply+<token>@…``, ``reply+<token>+x@…``); the token
    itself must be exactly 32 hex characters. With ``domain``, an address
    at any other domain is no reply address.
    """
    address = clean_line(address).strip("<>").lower()
    local, at, address_domain = address.rpartition("@")
    if not at or not local:
        return None
    if domain is not None and address_domain != domain.strip().lower():
        return None
    tags = local.split("+")
    for index, tag in enumerate(tags[:-1]):
        if tag == REPLY_PREFIX and is_reply_token(tags[index + 1]):
            return tags[index + 1]
    return None


def redact_address(address: str) -> str:
    """An address fit for a log: "XXXX@domain", and "reply+XXXX@domain" for
    a reply address, so that no token or person is written down (STYLE 44:
    Zulip's redact_email_address)."""
    local, at, domain = clean_line(address).strip("<>").rpartition("@")
    if not at:
        return "XXXX"
    kind = f"{REPLY_PREFIX}+" if token_from_address(address) else ""
    return f"{kind}XXXX@{domain.lower()}"


def find_reply_token(message: InboundMessage, domain: str | None = None) -> str | None:
    """The first reply token among the message's recipients, read in the
    order of RECIPIENT_HEADERS (the headers that forwarding keeps first)."""
    for address in message.recipients:
        token = token_from_address(address, domain)
        if token:
            return token
    return None


def find_reference(subject: str) -> str | None:
    """The request reference in a subject ("Re: [SH-2026-00012] …"), the
    fallback when no reply address matched. Two different references make
    it ambiguous: None."""
    found = {
        f"SH-{year}-{number}"
        for year, number in REFERENCE_PATTERN.findall(clean_line(subject))
    }
    return found.pop() if len(found) == 1 else None
