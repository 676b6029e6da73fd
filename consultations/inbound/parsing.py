"""Raw mail bytes to an InboundMessage, whatever the bytes are.

The standard library's parser (policy.default) reads the MIME structure;
every header and part is read defensively, so that malformed MIME, a
missing header or a charset that lies gives a clean value, never an error.
"""

import datetime
import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from .text import (
    clean_body,
    clean_filename,
    clean_line,
    decode_bytes,
    html_to_text,
    repair_surrogates,
)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

# Where forwarding, aliases and lists put the address a message was sent
# to, most telling first (Zulip's find_emailgateway_recipient, with
# X-Original-To from Postfix).
RECIPIENT_HEADERS = (
    "X-Gm-Original-To",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "Resent-To",
    "Resent-Cc",
    "To",
    "Cc",
)

_MESSAGE_ID_LIMIT = 250
_HEADER_SECTION_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Attachment:
    """A file as the sender declared it; nothing here is checked."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class InboundMessage:
    """One received message, decoded and cleaned.

    ``message_id`` is never empty: a message without one gets a stable id
    made from a hash of its bytes (ending in ``@inbound.invalid``). A
    message over the size limit has ``too_large`` set and only its headers
    read: no body and no attachments.
    """

    message_id: str
    from_address: str
    from_name: str
    subject: str
    date: datetime.datetime | None
    recipients: tuple[str, ...]
    body: str
    body_from_html: bool
    attachments: tuple[Attachment, ...]
    in_reply_to: str
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    content_type: str
    report_type: str
    size: int
    too_large: bool = False
    message_id_synthesized: bool = False

    def header(self, name: str) -> str:
        """The first value of a header ("" when absent), case-insensitive."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return ""

    def header_values(self, name: str) -> tuple[str, ...]:
        name = name.lower()
        return tuple(value for key, value in self.headers if key.lower() == name)


def _strip_leading_blank_lines(raw: bytes) -> bytes:
    # Some stored mail begins with an empty line, which by RFC 5322 makes the
    # whole header block body; read it as headers, as mail clients do.
    stripped = raw.lstrip(b"\r\n")
    return stripped if stripped else raw


def header_section(raw: bytes) -> bytes:
    """The header block of a message (up to the first empty line)."""
    match = re.search(rb"\r?\n\r?\n", raw[:_HEADER_SECTION_LIMIT])
    end = match.end() if match else min(len(raw), _HEADER_SECTION_LIMIT)
    return raw[:end]


def _decoded(message: EmailMessage, name: str, raw_value: str) -> str:
    """One header value with its RFC 2047 words decoded and raw 8-bit bytes
    repaired; the value as it stands when the header parser gives up."""
    try:
        value = str(message.policy.header_fetch_parse(name, raw_value))
    except Exception:  # noqa: BLE001 - a broken header must not stop the rest
        value = str(raw_value)
    return repair_surrogates(value)


def _headers(message: EmailMessage) -> tuple[tuple[str, str], ...]:
    return tuple(
        (clean_line(str(name)), clean_line(_decoded(message, name, raw_value)))
        for name, raw_value in message.raw_items()
    )


def _raw_header(message: EmailMessage, name: str) -> list[str]:
    """Every value of one header, decoded (not yet cleaned for display)."""
    return [
        _decoded(message, key, raw_value)
        for key, raw_value in message.raw_items()
        if key.lower() == name.lower()
    ]


def normalize_message_id(value: str) -> str:
    """The id inside the angle brackets, trimmed; "" if there is none."""
    value = clean_line(value)
    match = re.search(r"<([^<>\s]+)>", value)
    if match:
        return match.group(1)
    tokens = value.strip("<> ").split()
    return tokens[0].strip("<>") if tokens else ""


def _message_id(message: EmailMessage, raw: bytes) -> tuple[str, bool]:
    values = _raw_header(message, "Message-ID")
    message_id = normalize_message_id(values[0]) if values else ""
    if message_id and len(message_id) <= _MESSAGE_ID_LIMIT:
        return message_id, False
    digest = hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()
    return f"{digest}@inbound.invalid", True


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # noqa: BLE001
        return []
    result = []
    for name, address in pairs:
        address = clean_line(address).strip("<>").lower()
        if "@" in address and " " not in address:
            result.append((clean_line(name), address))
    return result


def _date(message: EmailMessage) -> datetime.datetime | None:
    values = _raw_header(message, "Date")
    if not values:
        return None
    try:
        value = email.utils.parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _id_list(values: list[str]) -> tuple[str, ...]:
    ids = []
    for value in values:
        for found in re.findall(r"<([^<>\s]+)>", value):
            if found not in ids:
                ids.append(found)
    return tuple(ids)


def _part_filename(part) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    return repair_surrogates(str(name)) if name else None


def _content_type(part) -> str:
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def _payload_bytes(part) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return payload


def _part_text(part) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return decode_bytes(_payload_bytes(part), charset)


def _leaves(part):
    """Every leaf part, depth first, not descending into attached messages
    (a forwarded message or a bounce's original is one attachment)."""
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        if isinstance(payload, list):
            for child in payload:
                yield from _leaves(child)
        return
    yield part


def _is_attachment(part) -> bool:
    try:
        disposition = part.get_content_disposition()
    except Exception:  # noqa: BLE001
        disposition = None
    if disposition == "attachment":
        return True
    content_type = _content_type(part)
    if content_type in ("text/plain", "text/html"):
        # A named text part is a file (Apple Mail attaches .txt files
        # inline); the message's own text has no name.
        return _part_filename(part) is not None
    # A report's machine-readable parts are part of the report, not files.
    if content_type in (
        "message/delivery-status",
        "message/disposition-notification",
        "text/rfc822-headers",
    ):
        return False
    return True


def _attachment(part, index: int) -> Attachment:
    content_type = _content_type(part)
    if part.get_content_maintype() == "message":
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            try:
                content = payload[0].as_bytes()
            except Exception:  # noqa: BLE001
                content = b""
        else:
            content = _payload_bytes(part)
        fallback = f"message-{index}.eml"
    else:
        content = _payload_bytes(part)
        fallback = f"attachment-{index}"
    return Attachment(
        filename=clean_filename(_part_filename(part), fallback=fallback),
        content_type=content_type,
        content=content,
    )


def _body_and_attachments(message: EmailMessage):
    plain: list[str] = []
    markup: list[str] = []
    attachments = []
    for part in _leaves(message):
        if _is_attachment(part):
            attachments.append(_attachment(part, len(attachments) + 1))
            continue
        content_type = _content_type(part)
        if content_type == "text/plain":
            plain.append(_part_text(part))
        elif content_type == "text/html":
            markup.append(_part_text(part))
    if any(text.strip() for text in plain):
        # Several inline text parts (text, picture, text) read as one.
        body, from_html = "\n\n".join(text for text in plain if text.strip()), False
    elif markup:
        body, from_html = "\n\n".join(html_to_text(text) for text in markup), True
    else:
        body, from_html = "", False
    return clean_body(body).strip("\n"), from_html, tuple(attachments)


def parse_message(
    raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, size: int | None = None
) -> InboundMessage:
    """Parse one message's bytes.

    ``size`` is the message's whole size when ``raw`` holds only its header
    section (a mailbox source reads no more of a message over the limit).
    Over ``max_bytes`` only the headers are parsed and ``too_large`` is set.
    """
    size = len(raw) if size is None else size
    too_large = size > max_bytes
    source = _strip_leading_blank_lines(raw)
    if too_large:
        source = header_section(source)
    message = email.message_from_bytes(source, policy=email.policy.default)

    message_id, synthesized = _message_id(message, raw)
    senders = _addresses(_raw_header(message, "From"))
    from_name, from_address = senders[0] if senders else ("", "")
    recipients: list[str] = []
    for name in RECIPIENT_HEADERS:
        for _display, address in _addresses(_raw_header(message, name)):
            if address not in recipients:
                recipients.append(address)
    subjects = _raw_header(message, "Subject")
    if too_large:
        body, from_html, attachments = "", False, ()
    else:
        body, from_html, attachments = _body_and_attachments(message)
    in_reply_to = _id_list(_raw_header(message, "In-Reply-To"))
    try:
        report_type = str(message.get_param("report-type", "") or "").lower()
    except Exception:  # noqa: BLE001
        report_type = ""
    return InboundMessage(
        message_id=message_id,
        message_id_synthesized=synthesized,
        from_address=from_address,
        from_name=from_name,
        subject=clean_line(subjects[0]) if subjects else "",
        date=_date(message),
        recipients=tuple(recipients),
        body=body,
        body_from_html=from_html,
        attachments=attachments,
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_id_list(_raw_header(message, "References")),
        headers=_headers(message),
        content_type=_content_type(message),
        report_type=report_type,
        size=size,
        too_large=too_large,
    )
