"""Raw bytes to InboundMessage: headers, recipients, bodies, charsets and
attachments, with Hebrew and Arabic mail written here for the purpose."""

import datetime
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.inbound import extract_reply, parse_message
from consultations.inbound.text import clean_filename, decode_bytes

HEBREW = "שלום, מצורפים המסמכים שביקשתם."
ARABIC = "مرحباً، نرفق الوثائق المطلوبة."


def mail(headers: str, body: bytes = b"hello\r\n") -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


def test_headers_are_decoded_and_the_message_id_normalized():
    raw = mail(
        "From: =?utf-8?b?15PXoNeUINeb15TXnw==?= <Dana@Org.Example>\n"
        "To: reply+0123456789abcdef0123456789abcdef@portal.example\n"
        "Subject: =?windows-1255?b?+vnl4eQ=?= [SH-2026-00012]\n"
        "Date: Thu, 03 Dec 2026 10:15:00 +0200\n"
        "Message-ID:   <CAF+abc=123@mail.gmail.com>  \n"
        "In-Reply-To: <request-12@portal.example>\n"
        "References: <a@portal.example>\n <request-12@portal.example>\n"
    )
    message = parse_message(raw)
    assert message.message_id == "CAF+abc=123@mail.gmail.com"
    assert not message.message_id_synthesized
    assert message.from_name == "דנה כהן"
    assert message.from_address == "dana@org.example"
    assert message.subject == "תשובה [SH-2026-00012]"
    assert message.date == datetime.datetime(
        2026, 12, 3, 8, 15, tzinfo=datetime.UTC
    ).astimezone(message.date.tzinfo)
    assert message.in_reply_to == "request-12@portal.example"
    assert message.references == ("a@portal.example", "request-12@portal.example")
    assert message.body == "hello"


def test_a_message_without_message_id_gets_a_stable_one_from_its_bytes():
    raw = mail("From: a@example.net\nSubject: x\n")
    first, second = parse_message(raw), parse_message(raw)
    assert first.message_id == second.message_id
    assert first.message_id == f"{hashlib.sha256(raw).hexdigest()}@inbound.invalid"
    assert first.message_id_synthesized
    assert parse_message(raw + b"!").message_id != first.message_id


def test_recipients_are_read_in_zulips_header_order():
    """Forwarding rewrites To: the headers that keep the original address
    come first (STYLE.md 41), each address once, lower-cased."""
    raw = mail(
        "From: a@example.net\n"
        "To: Shatil <inbox@shatil.example>\n"
        "Cc: other@example.net\n"
        "Delivered-To: Reply+AB@Portal.Example\n"
        "X-Gm-Original-To: first@portal.example\n"
        "X-Original-To: reply+ab@portal.example\n"
        "Envelope-To: envelope@portal.example\n"
        "Resent-To: resent@portal.example\n"
    )
    assert parse_message(raw).recipients == (
        "first@portal.example",
        "reply+ab@portal.example",
        "envelope@portal.example",
        "resent@portal.example",
        "inbox@shatil.example",
        "other@example.net",
    )


@pytest.mark.parametrize(
    "name",
    [
        "=?utf-8?b?4oCu15PXoNeU4oCs?=",  # RLO + "דנה" + PDF
        "\u202eדנה\u202c",
    ],
)
def test_bidi_overrides_and_control_characters_leave_display_names(name):
    raw = mail(f"From: {name} <dana@org.example>\nSubject: a\u200f\tb\n")
    message = parse_message(raw)
    assert message.from_name == "דנה"
    assert message.subject == "a b"


def test_windows_1255_and_iso_8859_8_i_bodies_decode():
    for charset in ("windows-1255", "ISO-8859-8-i", "iso-8859-8"):
        raw = mail(
            "From: a@example.net\nMIME-Version: 1.0\n"
            f'Content-Type: text/plain; charset="{charset}"\n'
            "Content-Transfer-Encoding: 8bit\n",
            HEBREW.encode("cp1255") + b"\r\n",
        )
        assert parse_message(raw).body == HEBREW, charset


def test_a_declared_charset_that_lies_is_corrected():
    """UTF-8 bytes labelled ISO-8859-1 read as UTF-8; undeclared windows-1255
    and windows-1256 read as Hebrew and Arabic; an unknown label never
    raises."""
    assert decode_bytes(HEBREW.encode(), "iso-8859-1") == HEBREW
    assert decode_bytes(HEBREW.encode("cp1255"), None) == HEBREW
    assert decode_bytes(HEBREW.encode("cp1255"), "x-no-such-charset") == HEBREW
    assert decode_bytes(ARABIC.encode("cp1256"), "us-ascii") == ARABIC
    raw = mail(
        "From: a@example.net\nContent-Type: text/plain; charset=klingon-8\n",
        HEBREW.encode("cp1255"),
    )
    assert parse_message(raw).body == HEBREW


def test_html_only_mail_is_sanitized_to_text():
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body dir=rtl><p>שלום <b>רב</b>,</p><div>שורה&nbsp;שנייה &lt;x&gt;</div>"
        "<img src=x onerror=alert(2)><blockquote>ציטוט</blockquote></body></html>"
    )
    raw = mail(
        "From: a@example.net\nContent-Type: text/html; charset=utf-8\n",
        html.encode(),
    )
    message = parse_message(raw)
    assert message.body_from_html
    assert message.body == "שלום רב,\nשורה שנייה <x>\n> ציטוט"
    assert "alert" not in message.body and "color" not in message.body


def test_links_in_html_mail_keep_their_address_and_scripts_do_not():
    html = (
        '<p>Our <a href="https://org.example/budget.pdf">budget</a>, '
        '<a href="javascript:alert(1)">click</a>, '
        '<a href="mailto:dana@org.example">dana@org.example</a></p>'
    )
    raw = mail("From: a@example.net\nContent-Type: text/html\n", html.encode())
    assert parse_message(raw).body == (
        "Our budget (https://org.example/budget.pdf), click, dana@org.example"
    )


def test_a_named_text_part_is_a_file_not_part_of_the_body():
    """Apple Mail attaches a .txt file inline, with its name: it stays a
    file, and the message's own text stays the body."""
    raw = mail(
        "From: a@example.net\nContent-Type: multipart/mixed; boundary=b\n",
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee the notes\r\n"
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b'Content-Disposition: inline; filename="notes.txt"\r\n\r\nthe notes\r\n'
        b"--b--\r\n",
    )
    message = parse_message(raw)
    assert message.body == "see the notes"
    assert [(a.filename, a.content) for a in message.attachments] == [
        ("notes.txt", b"the notes")
    ]


def test_the_plain_part_wins_over_html_and_attachments_are_kept_as_declared():
    raw = mail(
        "From: a@example.net\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n',
        (
            "--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n"
            "--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
            "--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n"
            "--b2--\r\n"
            "--b1\r\nContent-Type: application/pdf\r\n"
            "Content-Disposition: attachment;"
            ' filename="..\\\\..\\\\budget\u202egpj.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
            "--b1\r\nContent-Type: application/x-msdownload\r\n"
            "Content-Disposition: attachment;"
            " filename*=utf-8''%D7%AA%D7%A7%D7%A6%D7%99%D7%91.exe\r\n"
            "\r\nMZ\r\n"
            "--b1--\r\n"
        ).encode(),
    )
    message = parse_message(raw)
    assert message.body == "plain text"
    assert [(a.filename, a.content_type, a.content) for a in message.attachments] == [
        ("budgetgpj.pdf", "application/pdf", b"%PDF-1.4\n"),
        ("תקציב.exe", "application/x-msdownload", b"MZ"),
    ]


def test_malformed_mime_never_raises():
    for raw in [
        b"",
        b"\r\n\r\n",
        b"garbage without headers",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--y\r\nbroken",
        b"From: \xff\xfe <\xff@x>\r\nSubject: \xe0\xe1\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%",
        b"Content-Type: message/rfc822\r\n\r\nnot a message",
        b"Date: yesterday-ish\r\nMessage-ID: <<<>>>\r\n\r\nx",
    ]:
        message = parse_message(raw)
        assert message.message_id


def test_a_message_over_the_limit_is_reported_with_its_headers_only():
    raw = mail("From: a@example.net\nSubject: big\n", b"x" * 2000)
    message = parse_message(raw, max_bytes=1000)
    assert message.too_large and message.size == len(raw)
    assert message.subject == "big" and message.body == "" and not message.attachments
    assert not parse_message(raw).too_large


def test_file_names_lose_paths_and_hidden_characters():
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\x\\doc.pdf") == "doc.pdf"
    assert clean_filename("\u202ecod.exe") == "cod.exe"
    assert clean_filename("...") == "attachment"
    assert clean_filename(None, fallback="attachment-1") == "attachment-1"
    long_name = "א" * 300 + ".pdf"
    assert clean_filename(long_name).endswith(".pdf")
    assert len(clean_filename(long_name)) == 200


MIME_PIECES = [
    b"From: ",
    b"To: reply+",
    b"Subject: =?utf-8?b?",
    b"=?windows-1255?q?=E0?=",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b"Content-Type: text/html; charset=iso-8859-8-i\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%FF\r\n",
    b"\r\n--b\r\n",
    b"--b--\r\n",
    b"\r\n\r\n",
    b"<p>",
    b"\xe0\xe1\xff",
    b"\xe2\x80\xae",
    b"> ",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(MIME_PIECES), st.binary(max_size=40)), max_size=30
    )
)
def test_any_bytes_parse_without_an_error(pieces):
    """Whatever arrives, the parser returns a message with an id, and its
    text goes through quote cutting: the job never crashes on input."""
    message = parse_message(b"".join(pieces))
    assert message.message_id
    extract_reply(message.body)
    assert "\u202e" not in message.from_name + message.subject + message.body
