"""Cutting quoted history and signatures, conservatively, with the quote
headers that Gmail and Outlook write in Hebrew and Arabic."""

import quopri

import pytest

from consultations.inbound import NO_TEXT, extract_reply, parse_message

RLM, LRE, PDF = "\u200f", "\u202a", "\u202c"

CASES = {
    "gmail_hebrew_with_marks": (
        "תודה רבה, נשלח את המסמכים מחר.\n\n"
        f"{RLM}בתאריך יום ג׳, 3 בדצמ׳ 2026 ב-10:15 מאת {LRE}מרכז שתיל{PDF}{RLM} "
        f"<{LRE}reply+abc@portal.example{PDF}{RLM}>:\n\n"
        "> שלום, חסרים לנו מסמכים.\n",
        "תודה רבה, נשלח את המסמכים מחר.",
    ),
    "gmail_hebrew_wrote": (
        "מצוין.\n\n"
        "בתאריך יום ב׳, 1 בדצמ׳ 2026 מאת יועצת שתיל <advisor@shatil.example> כתב/ה:\n"
        "> אפשר לקבוע פגישה?\n",
        "מצוין.",
    ),
    "gmail_hebrew_unquoted_history": (
        "בסדר גמור\n\n"
        f"{RLM}בתאריך יום ד׳, 2 בדצמ׳ 2026, 09:30, {RLM}שתיל "
        "<reply+x@portal.example> כתב:\n"
        "ההודעה הקודמת, בלי סימני ציטוט\n",
        "בסדר גמור",
    ),
    "gmail_hebrew_wrapped_attribution": (
        "נדבר.\n\n"
        "בתאריך יום ה׳, 4 בדצמ׳ 2026 ב-08:00 מאת מרכז שתיל\n"
        "<reply+x@portal.example>:\n\n> הודעה קודמת\n",
        "נדבר.",
    ),
    "outlook_hebrew_block": (
        "שלום רב,\nמצורף התקציב.\n\n"
        "________________________________\n"
        "מאת: מרכז שתיל <reply+x@portal.example>\n"
        "נשלח: יום שלישי 3 דצמבר 2026 10:15\n"
        "אל: דנה <dana@org.example>\n"
        "נושא: בקשה SH-2026-00012\n\n"
        "שלום דנה, חסר תקציב.\n",
        "שלום רב,\nמצורף התקציב.",
    ),
    "outlook_hebrew_block_without_a_line": (
        "מצורף.\n\n"
        "מאת: מרכז שתיל <reply+x@portal.example>\n"
        "נשלח: יום שלישי 3 דצמבר 2026 10:15\n"
        "אל: דנה\nנושא: בקשה\n\nהטקסט הקודם\n",
        "מצורף.",
    ),
    "hebrew_original_message": (
        "הנה התשובה.\n\n-----הודעה מקורית-----\nמאת: שתיל\nהטקסט הקודם\n",
        "הנה התשובה.",
    ),
    "gmail_arabic": (
        "شكراً، سنرسل الوثائق غداً.\n\n"
        "في الثلاثاء، 3 ديسمبر 2026 في 10:15 ص، كتب مركز شتيل "
        "<reply+x@portal.example>:\n\n> مرحباً، تنقصنا وثائق.\n",
        "شكراً، سنرسل الوثائق غداً.",
    ),
    "gmail_arabic_wrote_at_the_end": (
        "حسناً.\n\nفي 3 ديسمبر 2026 10:15، مركز شتيل كتب:\n> مرحباً\n",
        "حسناً.",
    ),
    "outlook_arabic_block": (
        "مرفق الميزانية.\n\n"
        "من: مركز شتيل <reply+x@portal.example>\n"
        "تم الإرسال: الثلاثاء 3 ديسمبر 2026 10:15\n"
        "إلى: دانا\nالموضوع: طلب\n\nالنص السابق\n",
        "مرفق الميزانية.",
    ),
    "arabic_original_message": (
        "ها هو الرد.\n\n-----الرسالة الأصلية-----\nمن: شتيل\nالنص السابق\n",
        "ها هو الرد.",
    ),
    "english_bottom_post": (
        "On Thu, Dec 3, 2026 at 10:15 AM, Shatil <reply+x@portal.example> wrote:\n"
        "> Can you send the budget?\n\nAttached.\n",
        "Attached.",
    ),
    "one_signature_delimiter": (
        "טקסט שלי\n-- \nדנה כהן\nמנהלת\n",
        "טקסט שלי",
    ),
    "two_delimiters_are_ambiguous": (
        "טקסט\n-- \nאחד\n--\nשניים\n",
        "טקסט\n--\nאחד\n--\nשניים",
    ),
    "wrote_in_the_senders_own_words": (
        "הנה מה שראש העירייה כתב:\nאנחנו נשקול את הבקשה.\n",
        "הנה מה שראש העירייה כתב:\nאנחנו נשקול את הבקשה.",
    ),
    "form_like_lines_are_the_senders": (
        "הפרטים:\nנושא: תקציב 2027\nתאריך: 5.1.2027\nאל: הוועדה\n",
        "הפרטים:\nנושא: תקציב 2027\nתאריך: 5.1.2027\nאל: הוועדה",
    ),
    "an_address_and_a_colon_in_the_senders_words": (
        "Please write to dana@org.example:\nshe has the budget since 10:30.\n",
        "Please write to dana@org.example:\nshe has the budget since 10:30.",
    ),
    "sent_from_my_phone_in_hebrew": (
        "מאשרת.\n\nנשלח מה-iPhone שלי\n",
        "מאשרת.",
    ),
    "sent_with_love_is_the_senders": (
        "Thanks, see you on Sunday.\nSent with love, Dana\n",
        "Thanks, see you on Sunday.\nSent with love, Dana",
    ),
    "forward_banner_is_kept": (
        "See below.\n\n-------- Forwarded Message --------\nSubject: x\n\nbody\n",
        "See below.\n\n-------- Forwarded Message --------\nSubject: x\n\nbody",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_senders_own_text_is_kept_and_the_history_cut(name):
    body, expected = CASES[name]
    assert extract_reply(body) == expected


def test_nothing_but_quotes_is_no_text_not_an_empty_string():
    assert extract_reply("\n> רק ציטוט\n> quoted\n") is NO_TEXT
    assert extract_reply("") is NO_TEXT
    assert extract_reply("-- \nסתם חתימה\n") is NO_TEXT


def test_a_windows_1255_outlook_reply_end_to_end():
    """Bytes as a Hebrew Outlook sends them (windows-1255, quoted-printable)
    to the text that the request's timeline will show."""
    body = (
        "אשלח מחר.\r\n\r\nמאת: מרכז שתיל <reply+x@portal.example>\r\n"
        "נשלח: יום שלישי 3 דצמבר 2026 10:15\r\nאל: דנה\r\nנושא: בקשה\r\n\r\nישן\r\n"
    )
    raw = (
        b"From: =?windows-1255?b?5+De?= <dana@org.example>\r\n"
        b"Subject: RE: request\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1255\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(body.encode("cp1255"))
    )
    assert extract_reply(parse_message(raw).body) == "אשלח מחר."


def test_an_iso_8859_8_i_body_end_to_end():
    raw = (
        b"From: a@org.example\r\nContent-Type: text/plain; charset=ISO-8859-8-I\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + "כן, מתאים.\n\n> שאלה קודמת\n".encode("iso-8859-8")
    assert extract_reply(parse_message(raw).body) == "כן, מתאים."
