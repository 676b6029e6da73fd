"""Is this a person's reply, or a machine's? And which machine?

Only a reply may be stored on a request; everything else waits for staff,
and nothing that a machine sent is ever answered (no mail loops). When in
doubt a message is treated as machine-made: staff can still attach it.
"""

import enum
import re
from dataclasses import dataclass

from .parsing import InboundMessage


class MailKind(enum.StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    READ_RECEIPT = "read_receipt"


@dataclass(frozen=True)
class Classification:
    kind: MailKind
    reason: str  # which header or sign decided, for the staff list and logs

    @property
    def is_reply(self) -> bool:
        return self.kind is MailKind.REPLY


_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.I)
# Out-of-office subjects that some servers send without any header saying
# so (iCloud, Exchange), in the portal's languages.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?reply|auto(?:matic)? response|out of (?:the )?office"
    r"|absence|abwesenheit|réponse automatique|תשובה אוטומטית|מענה אוטומטי"
    r"|מחוץ למשרד|رد تلقائي|الرد التلقائي|خارج المكتب)\b",
    re.IGNORECASE,
)


def classify(message: InboundMessage) -> Classification:
    """The kind of a message and the sign that decided it, first match wins:
    reports (read receipts, DSNs), RFC 3834's Auto-Submitted, bounce
    senders, the vendors' auto-reply headers, bulk and list mail, subjects."""
    header = message.header
    content_type = message.content_type
    if content_type == "multipart/report":
        if message.report_type == "disposition-notification":
            return Classification(
                MailKind.READ_RECEIPT, "report-type=disposition-notification"
            )
        if message.report_type == "delivery-status":
            return Classification(MailKind.BOUNCE, "report-type=delivery-status")
    if content_type == "message/disposition-notification":
        return Classification(MailKind.READ_RECEIPT, content_type)

    auto_submitted = header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return Classification(MailKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}")

    if _BOUNCE_SENDER.match(message.from_address):
        return Classification(MailKind.BOUNCE, "sender is a mailer daemon")
    if header("X-Failed-Recipients"):
        return Classification(MailKind.BOUNCE, "X-Failed-Recipients")
    # A null reverse path is how RFC 5321 marks mail that must not be
    # answered: delivery reports, and (RFC 3834) auto-responses.
    if header("Return-Path").replace(" ", "") == "<>":
        if _AUTO_SUBJECT.search(message.subject):
            return Classification(
                MailKind.AUTO_REPLY, "empty return path, auto-reply subject"
            )
        return Classification(MailKind.BOUNCE, "empty return path")

    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        value = header(name).strip().lower()
        if value and value not in ("no", "false", "0"):
            return Classification(MailKind.AUTO_REPLY, name)
    if header("X-Apple-Action").strip().upper() == "VACATION":
        return Classification(MailKind.AUTO_REPLY, "X-Apple-Action: VACATION")
    if header("X-Auto-Response-Suppress") and _AUTO_SUBJECT.search(message.subject):
        return Classification(MailKind.AUTO_REPLY, "X-Auto-Response-Suppress")

    precedence = header("Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return Classification(MailKind.AUTO_REPLY, f"Precedence: {precedence}")
    for name in ("List-Id", "List-Unsubscribe"):
        if header(name):
            return Classification(MailKind.AUTO_REPLY, f"mailing list ({name})")

    if _AUTO_SUBJECT.search(message.subject):
        return Classification(MailKind.AUTO_REPLY, "auto-reply subject")
    return Classification(MailKind.REPLY, "")
