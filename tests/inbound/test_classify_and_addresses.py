"""Which mail is a person's reply, and which request it answers: the reply
address's token, or the reference in the subject as the fallback."""

import pytest

from consultations.inbound import (
    MailKind,
    classify,
    find_reference,
    find_reply_token,
    is_reply_token,
    new_reply_token,
    parse_message,
    redact_address,
    reply_address,
    token_from_address,
)

TOKEN = "0123456789abcdef0123456789abcdef"


def mail(headers: str, body: str = "hello") -> bytes:
    base = "From: Dana <dana@org.example>\nSubject: Re: request\n"
    return (base + headers + "\n" + body).replace("\n", "\r\n").encode()


def kind(headers: str, body: str = "hello") -> tuple[MailKind, str]:
    result = classify(parse_message(mail(headers, body)))
    return result.kind, result.reason


def test_an_ordinary_reply_is_a_reply():
    assert kind("To: x@portal.example\n") == (MailKind.REPLY, "")
    assert kind("Auto-Submitted: no\n")[0] is MailKind.REPLY
    assert classify(parse_message(mail(""))).is_reply


def test_the_reason_names_the_deciding_header():
    assert kind("List-Unsubscribe: <mailto:x@lists.example>\n") == (
        MailKind.AUTO_REPLY,
        "mailing list (List-Unsubscribe)",
    )
    assert kind("Auto-Submitted: Auto-Replied\n") == (
        MailKind.AUTO_REPLY,
        "Auto-Submitted: auto-replied",
    )


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\n",
        "Auto-Submitted: auto-generated; owner-email=x@example.net\n",
        "Precedence: bulk\n",
        "Precedence: junk\n",
        "Precedence: list\n",
        "X-Autoreply: yes\n",
        "X-Autorespond: Out of office\n",
        "List-Id: <announce.lists.example>\n",
        "List-Unsubscribe: <mailto:leave@lists.example>\n",
        "X-Apple-Action: VACATION\n",
    ],
)
def test_auto_replies_by_their_headers(headers):
    """RFC 3834's Auto-Submitted (anything but "no"), Precedence, the vendors'
    own headers and list mail: never stored, never answered."""
    assert kind(headers)[0] is MailKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: request", "תשובה אוטומטית: בקשה", "رد تلقائي: طلب"],
)
def test_out_of_office_subjects_without_a_header(subject):
    raw = f"From: a@org.example\nSubject: {subject}\n\naway".replace("\n", "\r\n")
    assert classify(parse_message(raw.encode())).kind is MailKind.AUTO_REPLY


def test_bounces_by_report_sender_and_null_return_path():
    dsn = (
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
        "--b\nContent-Type: text/plain\n\nfailed\n--b\n"
        "Content-Type: message/delivery-status\n\nAction: failed\n--b--\n",
    )
    assert kind(*dsn) == (MailKind.BOUNCE, "report-type=delivery-status")
    raw = mail("").replace(b"dana@org.example", b"MAILER-DAEMON@mx.example")
    assert classify(parse_message(raw)).kind is MailKind.BOUNCE
    raw = mail("").replace(b"dana@org.example", b"postmaster@mx.example")
    assert classify(parse_message(raw)).kind is MailKind.BOUNCE
    assert kind("Return-Path: <>\n") == (MailKind.BOUNCE, "empty return path")
    assert kind("X-Failed-Recipients: a@b.example\n")[0] is MailKind.BOUNCE


def test_read_receipts():
    mdn = (
        "Content-Type: multipart/report; report-type=disposition-notification;"
        " boundary=b\n",
        "--b\nContent-Type: text/plain\n\nread\n--b\n"
        "Content-Type: message/disposition-notification\n\nDisposition: x\n--b--\n",
    )
    assert kind(*mdn)[0] is MailKind.READ_RECEIPT


def test_reply_address_and_its_token():
    token = new_reply_token()
    assert is_reply_token(token)
    assert reply_address(token, "Portal.Example") == f"reply+{token}@portal.example"
    with pytest.raises(ValueError):
        reply_address("FORGEDTOKEN0000", "portal.example")


@pytest.mark.parametrize(
    "address",
    [
        f"reply+{TOKEN}@portal.example",
        f"REPLY+{TOKEN.upper()}@PORTAL.EXAMPLE",
        f"<reply+{TOKEN}@portal.example>",
        f"shatil+reply+{TOKEN}@portal.example",
        f"reply+{TOKEN}+gmail-filter@portal.example",
    ],
)
def test_a_token_is_found_whatever_the_case_and_sub_addressing(address):
    assert token_from_address(address, "portal.example") == TOKEN


@pytest.mark.parametrize(
    "address",
    [
        "reply+FORGEDTOKEN0000@portal.example",
        f"reply+{TOKEN}0@portal.example",  # 33 characters
        f"reply+{TOKEN[:-1]}g@portal.example",  # not hex
        f"reply-{TOKEN}@portal.example",
        f"{TOKEN}@portal.example",
        f"reply+{TOKEN}@elsewhere.example",
        "reply+@portal.example",
        "not an address",
    ],
)
def test_anything_else_is_no_token(address):
    assert token_from_address(address, "portal.example") is None


def test_the_token_is_read_from_the_headers_forwarding_keeps():
    """The reply address in Delivered-To counts even when To was rewritten
    by a forward; a forged token in To is not a token at all."""
    message = parse_message(
        mail(
            "To: Shatil <reply+FORGEDTOKEN0000@portal.example>\n"
            f"Delivered-To: reply+{TOKEN}@portal.example\n"
        )
    )
    assert find_reply_token(message, "portal.example") == TOKEN
    forged = parse_message(mail("To: reply+FORGEDTOKEN0000@portal.example\n"))
    assert find_reply_token(forged, "portal.example") is None
    display_name = parse_message(
        mail(f'To: "Shatil (reply+x@y)" <reply+{TOKEN}@portal.example>\n')
    )
    assert find_reply_token(display_name, "portal.example") == TOKEN


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("Re: [SH-2026-00012] A new message", "SH-2026-00012"),
        ("תשובה: בקשה \u200fsh-2026-00012\u200f", "SH-2026-00012"),
        ("Fwd: Re: request SH-2026-123456 was received", "SH-2026-123456"),
        ("[SH-2026-00012] and again SH-2026-00012", "SH-2026-00012"),
        ("[SH-2026-00012] and [SH-2026-00013]", None),  # ambiguous
        ("SH-2026-0012", None),  # too few digits
        ("XSH-2026-00012", None),
        ("No reference here", None),
    ],
)
def test_the_reference_in_the_subject(subject, reference):
    assert find_reference(subject) == reference


def test_addresses_in_logs_name_no_token_and_no_person():
    assert (
        redact_address(f"Reply+{TOKEN}@Portal.Example") == "reply+XXXX@portal.example"
    )
    assert redact_address("dana.cohen@org.example") == "XXXX@org.example"
    assert redact_address("not an address") == "XXXX"
