"""Text clean-up shared by the parser: charsets, control characters, names.

Mail arrives in any charset, declared or not, and declared wrongly often
enough (Hebrew in windows-1255 or ISO-8859-8 is common). Decoding never
raises: it falls back step by step and, at worst, replaces a byte.
"""

import codecs
import re
import unicodedata
from html.parser import HTMLParser

import charset_normalizer
import nh3

# Names some mailers give that Python does not know, or knows under another
# name. ISO-8859-8-I ("implicit", logical order) is the same bytes as
# ISO-8859-8; so is -E ("explicit").
CHARSET_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "x-mac-hebrew": "cp1255",
    "visual": "iso-8859-8",
    "logical": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "x-user-defined": "cp1252",
}

# Labels that say nothing about the bytes.
MEANINGLESS_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "default", "8bit", ""}

# Tried, in order, when the declared charset is missing or fails: the
# portal's mail is mostly Hebrew, Arabic and English.
FALLBACK_CHARSETS = ("windows-1255", "windows-1256", "windows-1252")

# Directional formatting characters that reorder what a reader sees
# (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI). The marks (LRM, RLM, ALM)
# reorder nothing and are kept in bodies; names and subjects lose them too.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_MARKS = "\u200e\u200f\u061c"
# Zero-width joiners shape Arabic and Persian script: kept everywhere.
_KEPT_FORMAT_CHARACTERS = "\u200c\u200d"


def lookup_charset(declared: str | None) -> str | None:
    """The Python codec name for a declared charset, or None when unknown."""
    if not declared:
        return None
    name = declared.strip().strip("\"'").lower()
    if name in MEANINGLESS_CHARSETS:
        return None
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(payload: bytes, declared: str | None = None) -> str:
    """Decode mail text whatever its charset claims.

    ASCII is ASCII. Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the
    label says (a single-byte Hebrew or Arabic text is never valid UTF-8, so
    this only corrects lying labels). Then the declared charset, then a
    detector, then windows-1255 with replacement characters: never an error.
    """
    if not payload:
        return ""
    if payload.isascii():
        return payload.decode("ascii")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = lookup_charset(declared)
    if codec and codec not in ("ascii", "utf-8", "utf-7"):
        try:
            return payload.decode(codec)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(
        payload, cp_isolation=list(FALLBACK_CHARSETS) + ["iso-8859-8", "iso-8859-6"]
    ).best()
    if best is not None:
        return str(best)
    return payload.decode(FALLBACK_CHARSETS[0], errors="replace")


def repair_surrogates(value: str) -> str:
    """Decode the raw bytes that the email package keeps as surrogates.

    An undeclared 8-bit header (or file name) comes out of the parser with
    each byte as a lone surrogate; turn them back into bytes and decode.
    """
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"))


def _is_invisible(char: str) -> bool:
    if char in _KEPT_FORMAT_CHARACTERS:
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_line(value: str) -> str:
    """A name or subject for display: one line, nothing hidden.

    Control and format characters (bidi overrides, marks, zero-width spaces,
    NUL) are dropped; white space runs become one space.
    """
    value = repair_surrogates(value)
    value = "".join(" " if char.isspace() else char for char in value)
    value = "".join(char for char in value if not _is_invisible(char))
    return " ".join(value.split())


# What a body loses: C0 and C1 controls but tab and newline, the bidi
# overrides and embeddings, lone surrogates and private-use characters.
_BODY_REMOVED = re.compile(
    "["
    + r"\x00-\x08\x0b-\x1f\x7f-\x9f"
    + BIDI_CONTROLS
    + r"\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff"
    + "]"
)


def clean_body(value: str) -> str:
    """Body text: line ends as \\n, no control characters but tab and newline,
    no bidi overrides or embeddings (the marks stay: Hebrew mail uses them)."""
    value = repair_surrogates(value).replace("\r\n", "\n").replace("\r", "\n")
    return _BODY_REMOVED.sub("", value)


def clean_filename(value: str | None, fallback: str = "attachment") -> str:
    """A file name without path parts, control or bidi characters.

    "..\\..\\evil.exe" is "evil.exe"; "invoice\u202egpj.exe" loses its
    right-to-left override. Never empty, at most 200 characters (the
    extension kept).
    """
    name = clean_line(value or "")
    name = re.split(r"[/\\]", name)[-1].strip()
    name = name.lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: 199 - len(extension)] + "." + extension
        else:
            name = name[:200]
    return name


# Tags whose text a reader sees on a line of its own.
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dd", "dt", "dl",
}  # fmt: skip
# What the sanitizer keeps: enough structure for line breaks and quotes.
_SAFE_TAGS = _BLOCK_TAGS | {"td", "th", "tbody", "thead", "span", "a"}


class _TextRenderer(HTMLParser):
    """Sanitized HTML to text: block tags become line breaks; a
    <blockquote> becomes "> " lines, so that quote cutting sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.depth = 0
        self.links: list[tuple[str, int]] = []  # open <a>: href, where its text begins

    def _break(self):
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self._break()
            self.depth += 1
        elif tag == "br":
            self.lines.append("")
        elif tag in _BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            self.lines[-1] += " "
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.lines[-1])))

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            # A link keeps its address, after its text when they differ.
            href, start = self.links.pop()
            label = self.lines[-1][start:].strip()
            target = href.removeprefix("mailto:")
            if href and target != label:
                self.lines[-1] = self.lines[-1].rstrip() + f" ({target})"
            return
        if tag == "blockquote":
            self._break()
            self.depth = max(0, self.depth - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            if data and self.lines[-1] and not self.lines[-1].endswith(" "):
                self.lines[-1] += " "
            return
        if not self.lines[-1]:
            self.lines[-1] = "> " * self.depth
        elif data[:1].isspace() and not self.lines[-1].endswith(" "):
            self.lines[-1] += " "
        self.lines[-1] += text
        if data[-1:].isspace():
            self.lines[-1] += " "

    def text(self) -> str:
        lines = [line.rstrip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """HTML mail reduced to plain text.

    nh3 (the Ammonia sanitizer) first removes scripts, styles, comments and
    every attribute but a link's address, keeping only structural tags; the
    result is then rendered as lines of text.
    """
    safe = nh3.clean(
        markup,
        tags=_SAFE_TAGS,
        attributes={"a": {"href"}},
        clean_content_tags={"script", "style", "head", "title", "template"},
        link_rel=None,
        strip_comments=True,
    )
    renderer = _TextRenderer()
    renderer.feed(safe)
    renderer.close()
    return renderer.text()
