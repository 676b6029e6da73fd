"""The Hebrew and Arabic catalogs follow the glossary's writing rules
(/work/shared/GLOSSARY.md, issue 19): Hebrew gershayim and geresh, one
quotation style per language, Arabic punctuation, numbers written as words
in the singular and dual forms, and none of the words the glossary rules out.

Each rule reports the entries that break it, so a failure says what to fix."""

import re
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

HEBREW = "\u05d0-\u05ea"
ARABIC = "\u0621-\u064a\u0671-\u06d3"
# What is not prose: placeholders, HTML tags (with their attributes), URLs and
# Django template variables. Punctuation inside them is not the translator's.
NOT_PROSE = re.compile(r"%\(\w+\)[sd]|<[^>]*>|https?://\S+|\{\{[^}]*\}\}|%[sd]")
# The placeholders that carry the number a plural entry counts.
COUNT_PLACEHOLDER = r"%\((?:count|counter|days|months|minutes)\)[sd]"


def _catalog(language):
    return polib.pofile(
        str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")
    )


def _translations(language):
    """(entry, form index or None, text) for every translated string."""
    for entry in _catalog(language):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for index, text in sorted(entry.msgstr_plural.items()):
                yield entry, index, text
        else:
            yield entry, None, entry.msgstr


def _prose(text):
    return NOT_PROSE.sub(" ", text)


def _offending(language, rule):
    return [
        (entry.msgid[:50], index, text[:80])
        for entry, index, text in _translations(language)
        if rule(entry, index, text)
    ]


def test_hebrew_abbreviations_take_gershayim_not_ascii_quotes():
    """דוא״ל, סה״כ, חל״צ, צ׳ק: never an ASCII " or ' between Hebrew letters."""
    inside_word = re.compile(f"[{HEBREW}][\"'][{HEBREW}]")
    assert not _offending("he", lambda e, i, t: inside_word.search(_prose(t)))


def test_hebrew_quotes_are_gershayim_pairs():
    """Hebrew quotes with ״…״ only: no ASCII or English curly quotes in prose
    (an HTML attribute's quotes are markup, not prose)."""
    other_quotes = re.compile('["“”„]')
    assert not _offending("he", lambda e, i, t: other_quotes.search(_prose(t)))


def test_arabic_quotes_are_guillemets():
    """Arabic quotes with «…»: no ASCII or English curly quotes in prose."""
    other_quotes = re.compile('["“”„]')
    assert not _offending("ar", lambda e, i, t: other_quotes.search(_prose(t)))


def test_arabic_uses_arabic_punctuation():
    """A comma, semicolon or question mark next to Arabic words is ، ؛ ؟ ,
    not the Latin one (numbers, placeholders, URLs and HTML aside)."""
    latin_next_to_arabic = re.compile(
        f"[{ARABIC}][\u064b-\u0652]*\\s*[,;?]|[,;?]\\s*[{ARABIC}]"
    )
    assert not _offending("ar", lambda e, i, t: latin_next_to_arabic.search(_prose(t)))


def test_every_plural_entry_names_its_count_placeholder():
    """The plural rules below find the number by its placeholder's name; an
    entry counted by another name would escape them."""
    for language in ("he", "ar"):
        unnamed = [
            entry.msgid_plural
            for entry in _catalog(language)
            if entry.msgid_plural
            and not entry.obsolete
            and not re.search(COUNT_PLACEHOLDER, entry.msgid_plural)
        ]
        assert not unnamed, unnamed


# A number (digit or count placeholder) right before or after a word.
NUMBER_BY_WORD = {
    "ar": re.compile(
        f"(?:\\d|{COUNT_PLACEHOLDER})\\s*[{ARABIC}]"
        f"|[{ARABIC}][\u064b-\u0652]*\\s*\\(?(?:\\d|{COUNT_PLACEHOLDER})"
    ),
    "he": re.compile(
        f"(?:\\d|{COUNT_PLACEHOLDER})\\s*[{HEBREW}]"
        f"|[{HEBREW}]\\s*(?:\\d|{COUNT_PLACEHOLDER})"
    ),
}
# Arabic: zero, one and two say it in words (لم يُنقل أي طلب، طلب واحد،
# طلبان). Hebrew: the singular says אחת / אחד, not "פנייה 1" or "1 פנייה".
WORD_FORMS = {"ar": {0, 1, 2}, "he": {0}}


@pytest.mark.parametrize("language", ["ar", "he"])
def test_singular_and_dual_forms_use_words_not_digits(language):
    def rule(entry, index, text):
        if index not in WORD_FORMS[language]:
            return False
        counted = re.sub(r"%\((?!count|counter|days|months|minutes)\w+\)s", " ", text)
        return NUMBER_BY_WORD[language].search(counted)

    assert not _offending(language, rule)


# The glossary's "Not" column, as it applies to the catalogs.
FORBIDDEN = {
    "ar": [
        "التأثير على السياسات",  # policy advocacy: الدفع بالسياسات
        "المجالات المرافقة",  # adjacent areas: المجالات المتّصلة
        "فعّال",  # active: نشط/ة
        "التعيين إلى",  # assign to: إسناد إلى
        "حسّاس للوقت",  # urgent: عاجل
        "حساس للوقت",
        "طلبات الأزمات",  # crisis requests: طلبات الأزمة
        "حتى %(due)s",  # by a date: في موعد أقصاه
        "العمر (",  # request age: عمر الطلب (بالأيام)
    ],
    "he": [
        "מייל",  # email: דוא״ל
        "איש.אשת",  # contact person: איש.ת קשר
    ],
}


@pytest.mark.parametrize("language", ["ar", "he"])
def test_no_word_the_glossary_rules_out(language):
    def rule(entry, index, text):
        return any(word in text for word in FORBIDDEN[language])

    assert not _offending(language, rule)


# בקשה is right for what is not a consultation request: a password reset, a
# data subject's request, a feedback request, HTTP requests.
OTHER_REQUESTS = (
    "Feedback request",
    "Kept in the request's history, e.g.",
    "We received many requests from your connection",
    "Someone asked to reset the password",
    "To ask for its deletion",
)
# An organization's request to delete its data is a בקשה too.
DELETION_REQUEST = re.compile(r"[Dd]elet(?:e|ion)")


def test_hebrew_request_is_pniya():
    """A consultation request is a פנייה, never a בקשה."""
    bakasha = re.compile("בקש(?:ה|ת|ות)")

    def rule(entry, index, text):
        return (
            bakasha.search(text)
            and not entry.msgid.startswith(OTHER_REQUESTS)
            and not DELETION_REQUEST.search(entry.msgid)
        )

    assert not _offending("he", rule)


# A request's status describes the פנייה, which is feminine.
HEBREW_STATUSES = {
    "New": "חדשה",
    "Waiting for the organization": "ממתינה לארגון",
    "Completed": "הסתיימה",
    "Declined": "נדחתה",
    "Withdrawn": "בוטלה על ידי הפונים",
}


def test_hebrew_statuses_agree_with_pniya():
    """The request statuses read חדשה, ממתינה, הסתיימה, נדחתה, בוטלה."""
    catalog = _catalog("he")
    found = {msgid: catalog.find(msgid).msgstr for msgid in HEBREW_STATUSES}
    assert found == HEBREW_STATUSES


def test_hebrew_inclusive_forms_are_not_mixed_in_one_sentence():
    """A sentence that says אתם.ן or מוזמנים.ות does not also say plain
    שלכם, אתם or ניסיתם: one way of addressing the reader per sentence."""
    inclusive = re.compile(f"[{HEBREW}](?:ם\\.ן|ים\\.ות)(?![{HEBREW}])")
    # Plain second person plural: אתם, a -כם suffix, a -תם past verb; not
    # followed by the inclusive ".ן" (a sentence's full stop is fine).
    plain = re.compile(
        f"(?<![{HEBREW}])(?:אתם|[{HEBREW}]*כם|[{HEBREW}]+תם)"
        f"(?!\\.[{HEBREW}]|[{HEBREW}])"
    )

    def rule(entry, index, text):
        # ".ן" has no space after its dot, so this splits only real sentences.
        sentences = re.split(r"(?<=[.?!])\s+", text)
        return any(inclusive.search(s) and plain.search(s) for s in sentences)

    assert not _offending("he", rule)


def test_arabic_assignment_is_isnad():
    """Assigning a request to an advisor is إسناد / أُسند إلى, never تعيين
    (which stays only for resetting a password: إعادة تعيين كلمة المرور)."""
    tayin = re.compile("(?:تعيين|معيَّن|معيّن)(?! كلمة)")
    assert not _offending("ar", lambda e, i, t: tayin.search(t))
