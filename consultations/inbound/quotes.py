"""What the sender wrote, without the quoted history and the signature.

Conservative on purpose: text is only cut at a recognised quote header
(mail-parser-reply's patterns for its thirteen languages, plus the Hebrew
and Arabic ones below and multi-line "… wrote:" lines), at a line of
underscores, at a trailing "Sent from my phone" line, and at a signature
when exactly one "-- " line makes it unambiguous. Whatever is left is what
the sender wrote; nothing left is NO_TEXT, never a silently empty message.
"""

import enum
import re

from mailparser_reply import EmailMessage as _ReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from .text import BIDI_CONTROLS, BIDI_MARKS


class Marker(enum.Enum):
    NO_TEXT = "no_text"


#: The sender wrote nothing of their own (the caller shows "(no text)").
NO_TEXT = Marker.NO_TEXT

# mail-parser-reply's header patterns, all its languages at once.
_LIBRARY_HEADER = _ReplyParser(text="", languages=list(MAIL_LANGUAGES)).HEADER_REGEX

_QUOTE = r"(?:> ?)*"

# Outlook's header block in Hebrew and Arabic: a From line ("מאת:",
# "من:") and one or more of the others below it ("נשלח: / אל: / נושא:",
# "تم الإرسال: / إلى: / الموضوع:"). Lines like "נושא: / תאריך:" alone may
# be the sender's own form-like text.
_OUTLOOK_BLOCK = re.compile(
    rf"^{_QUOTE}[* ]*(?:מאת|من)\s*:.*(?:\n{_QUOTE}[* ]*(?:נשלח|אל|עותק|נושא|תאריך"
    rf"|تم الإرسال|أرسل|إلى|نسخة|الموضوع|التاريخ)\s*:.*)+",
    re.MULTILINE,
)
# "-----Original Message-----" in any language ("-----הודעה מקורית-----",
# "-----الرسالة الأصلية-----", "-------- Oprindelig besked --------"), but
# not a forwarded message's banner: a forward's content is what it brings.
# And a line of underscores (Outlook's separator, mailing-list footers).
_SEPARATOR = re.compile(
    rf"^{_QUOTE}(?:-{{3,}} ?(?!.*(?:forward|weitergeleit|הועבר|معاد توجيه|المُعادة))"
    r"[^\W\d_][^-\n]{2,60}?-{3,}|_{20,})\s*$",
    re.MULTILINE | re.IGNORECASE,
)

# The end of an attribution line ("… wrote:"), in the languages the
# portal's mail comes in and those the library splits over two lines.
_WROTE = (
    r"wrote|a écrit|schrieb|skrev|escreveu|escribió|ha scritto|napisał|schreef"
    r"|написал|написала|написал\(а\)|כתב|כתבה|כתב/ה|כתב\(ה\)|كتب|كتبت"
)
# "… wrote:", or Gmail's "…, Name <address>:" (the address in brackets:
# "write to dana@org.example:" is the sender's own sentence).
_ATTRIBUTION_END = re.compile(
    rf"(?:(?:{_WROTE})[^:\n]{{0,80}}|<[^<>\s]+@[^<>\s]+>)\s*:$", re.IGNORECASE
)
# The first line of a two- or three-line attribution opens with one of
# these words or has a digit (a date) in it.
_ATTRIBUTION_START = re.compile(
    r"^(?:On|Le|Am|Em|El|Il|Op|Den|Dne|W dniu|בתאריך|ב-|في|بتاريخ|يوم)\b|\d",
    re.IGNORECASE,
)
_TIME_OR_ADDRESS = re.compile(r"\d{1,2}:\d{2}|@")

# A phone or webmail's one-line advertisement, when it is the last line.
_SENT_FROM = re.compile(
    r"^(?:Sent from my |Get Outlook for |Envoyé (?:de|depuis|à partir de)"
    r"|Von meinem|Gesendet von|Enviado (?:desde|do)|Inviato da|Отправлено с"
    r"|נשלח מ|أرسلت من|أُرسلت من|تم الإرسال من|مرسل من)",
    re.IGNORECASE,
)
_SIGNATURE_DELIMITER = re.compile(r"^--\s*$")

_INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{BIDI_MARKS}\ufeff]+")


# Quote headers are looked for this far into a message: the library's
# patterns take time in proportion to the text, and a sender's reply does
# not begin after 100,000 characters of history.
_SEARCH_LIMIT = 100_000
_QUOTE_MARKERS = re.compile(r"^(?:> ?)+")


def _normalized(lines: list[str]) -> str:
    # Patterns see each line without bidi marks, quote markers or
    # surrounding spaces (each pattern allows for quoting anyway, and this
    # spares the regex engine); line numbers stay those of the text.
    normalized, total = [], 0
    for line in lines:
        line = _INVISIBLE.sub("", line[:_SEARCH_LIMIT]).strip()
        line = _QUOTE_MARKERS.sub("", line).strip()
        total += len(line) + 1
        if total > _SEARCH_LIMIT:
            break
        normalized.append(line)
    return "\n".join(normalized)


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] == "\n":
        start += 1
    return text.count("\n", 0, start), text.count("\n", 0, max(start, end - 1))


def _attribution(lines: list[str]) -> tuple[int, int] | None:
    """The first "… wrote:" line, or two or three lines of one, with a time
    or an address in it (so that "Here is what the mayor wrote:" is not)."""
    for last, line in enumerate(lines):
        if not line.rstrip().endswith(":"):
            continue
        for first in range(max(0, last - 2), last + 1):
            block = [item.lstrip("> ").strip() for item in lines[first : last + 1]]
            if not all(block):
                continue
            if first < last and not _ATTRIBUTION_START.search(block[0]):
                continue
            joined = " ".join(block)
            if _ATTRIBUTION_END.search(joined) and _TIME_OR_ADDRESS.search(joined):
                return first, last
    return None


def _first_header(lines: list[str]) -> tuple[int, int] | None:
    text = _normalized(lines)
    spans = []
    for pattern in (_LIBRARY_HEADER, _OUTLOOK_BLOCK, _SEPARATOR):
        match = pattern.search(text)
        if match:
            spans.append(_line_span(text, match.start(), match.end()))
    found = _attribution(text.split("\n"))
    if found:
        spans.append(found)
    return min(spans) if spans else None


_LEADING_BLANKS = " \t\ufeff" + BIDI_CONTROLS + BIDI_MARKS


def _is_quoted(line: str) -> bool:
    return line.lstrip(_LEADING_BLANKS).startswith(">")


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() and not _is_quoted(line) for line in lines)


def _cut_history(lines: list[str]) -> list[str]:
    header = _first_header(lines)
    if header is None:
        return lines
    first, last = header
    before, after = lines[:first], lines[last + 1 :]
    following = [line for line in after if line.strip()]
    quoted_first = bool(following) and _is_quoted(following[0])
    if quoted_first and _has_text(after):
        # Bottom-posted or answered inline: the sender's text comes after
        # (or between) the quoted lines, which go.
        rest = [line for line in after if not _is_quoted(line)]
        return before + _cut_history(rest)
    return before


def _drop_trailing_quotes(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and (not lines[end - 1].strip() or _is_quoted(lines[end - 1])):
        end -= 1
    return lines[:end]


def _cut_signature(lines: list[str]) -> list[str]:
    delimiters = [
        index for index, line in enumerate(lines) if _SIGNATURE_DELIMITER.match(line)
    ]
    if len(delimiters) == 1:
        return lines[: delimiters[0]]
    return lines


def _cut_sent_from(lines: list[str]) -> list[str]:
    lines = _drop_trailing_quotes(lines)
    if lines and len(lines[-1]) <= 80:
        if _SENT_FROM.match(lines[-1].strip(_LEADING_BLANKS)):
            return lines[:-1]
    return lines


def extract_reply(body: str) -> str | Marker:
    """The text the sender wrote in ``body`` (plain text), or NO_TEXT."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _cut_history(lines)
    lines = _drop_trailing_quotes(lines)
    lines = _cut_signature(lines)
    lines = _cut_sent_from(lines)
    lines = _drop_trailing_quotes(lines)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    text = "\n".join(line.rstrip() for line in lines[start:])
    return text if text.strip() else NO_TEXT
