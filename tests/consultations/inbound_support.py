"""Helpers for the replies-by-email tests: mail as a mail program writes it,
and a Maildir the job reads."""

import mailbox
import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from django.utils import timezone

REPLY_DOMAIN = "reply.example.org"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03" + b"\x00" * 60


def reply_mail(
    *,
    to: str,
    sender: str = "contact@example.org",
    sender_name: str = "דנה לוי",
    subject: str = "Re: הודעה חדשה",
    text: str = "תודה, מצורף התקציב.",
    quoted: str = "בתאריך יום א׳, 6 בדצמ׳ 2026 ב-10:00 מאת שתיל <portal@example.org>"
    " כתב:\n> הודעה מהיועצת\n> שורה שנייה",
    files: tuple[tuple[str, bytes, str], ...] = (),
    headers: dict | None = None,
    message_id: str | None = None,
) -> bytes:
    """A reply as Gmail writes it: the text, the Hebrew attribution line and
    the quoted history, and files."""
    message = EmailMessage()
    message["From"] = f"{sender_name} <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.net>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(f"{text}\n\n{quoted}\n" if quoted else f"{text}\n")
    for name, content, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=name
        )
    return message.as_bytes()


def reply_address(consultation) -> str:
    return f"reply+{consultation.reply_token}@{REPLY_DOMAIN}"


def deliver(folder: Path, *raws: bytes) -> None:
    """As an MTA delivers into a Maildir (new/)."""
    box = mailbox.Maildir(folder, create=True)
    for raw in raws:
        box.add(raw)  # the bytes as they are


def unseen(folder: Path) -> int:
    box = mailbox.Maildir(folder)
    return sum(1 for key in box.keys() if "S" not in box.get_message(key).get_flags())
