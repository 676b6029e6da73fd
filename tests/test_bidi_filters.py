"""The `ltr` and `bidi` template filters that isolate left-to-right values
(phones, emails, links, references, dates written with digits) in
right-to-left pages and emails."""

from django.template import engines


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load bidi %}" + source).render(context)


def test_ltr_isolates_the_value_and_escapes_it():
    assert (
        render("{{ value|ltr }}", value="a<b@example.org")
        == '<bdi dir="ltr" class="ltr">a&lt;b@example.org</bdi>'
    )


def test_ltr_leaves_an_empty_value_to_default():
    assert render('{{ value|ltr|default:"—" }}', value="") == "—"
    assert render('{{ value|ltr|default:"—" }}', value=None) == "—"


def test_bidi_isolates_digits_as_left_to_right():
    """A date such as `06/12/2026 14:00` would otherwise show its time first
    in a right-to-left line."""
    assert (
        render("{{ value|bidi }}", value="06/12/2026 14:00")
        == '<bdi dir="ltr" class="ltr">06/12/2026 14:00</bdi>'
    )


def test_bidi_keeps_hebrew_and_arabic_in_their_own_direction():
    assert (
        render("{{ value|bidi }}", value="6 בדצמבר 2026") == "<bdi>6 בדצמבר 2026</bdi>"
    )
    assert (
        render("{{ value|bidi }}", value="6 ديسمبر 2026") == "<bdi>6 ديسمبر 2026</bdi>"
    )


def test_bidi_does_not_escape_twice():
    assert (
        render("{{ value|linebreaksbr|bidi }}", value="שורה\n<b>")
        == "<bdi>שורה<br>&lt;b&gt;</bdi>"
    )


def test_plain_text_uses_unicode_isolates():
    assert render("{{ value|ltr_text }}", value="SH-2026-00012") == (
        "\u2066SH-2026-00012\u2069"
    )
    assert render("{{ value|bidi_text }}", value="8 בדצמבר 2026") == (
        "\u20688 בדצמבר 2026\u2069"
    )


def test_both_parts_of_an_email_isolate_the_reference():
    """The request's reference reads `SH-2026-00012` in a Hebrew email, in
    its HTML part and in its plain-text part."""
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {
        "reference": "SH-2026-00012",
        "contact_name": "דנה",
        "track_title": "ליווי פרויקט",
        "response_due_date": "8 בדצמבר 2026",
        "response_business_days": 3,
        "secret_status_url": "https://portal.example/request/status/x/",
        "language": "he",
        "direction": "rtl",
    }
    with translation.override("he"):
        html = render_to_string("consultations/email/confirmation.html", context)
        text = render_to_string("consultations/email/confirmation.txt", context)

    assert '<bdi dir="ltr" class="ltr">SH-2026-00012</bdi>' in html
    assert "\u2066SH-2026-00012\u2069" in text
