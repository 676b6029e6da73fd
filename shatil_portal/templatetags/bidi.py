"""Left-to-right values (phones, emails, links, references, registration
numbers, dates written with digits) inside right-to-left text.

Without isolation the bidi algorithm reorders their neutral characters, so
`+972 52-555-1234` reads `52-555-1234 972+` in Hebrew. One wrapper for every
such value keeps them whole and aligned like the text around them (the
wrapper is inline, so a right-to-left cell still aligns it to the right).
"""

import re

from django import template
from django.utils.html import conditional_escape, format_html

register = template.Library()

# Hebrew, Arabic (with its supplements and presentation forms) and the other
# right-to-left blocks of the BMP.
RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


@register.filter(is_safe=True)
def ltr(value):
    """The value isolated as left-to-right text, wrapping anywhere when long."""
    if value is None or value == "":
        return value
    return format_html('<bdi dir="ltr" class="ltr">{}</bdi>', value)


@register.filter(is_safe=True)
def bidi(value):
    """A value of unknown direction (an answer on a form): isolated as
    left-to-right when it has no right-to-left letter, else isolated with its
    direction taken from its first strong letter."""
    if value is None or value == "":
        return value
    text = conditional_escape(value)
    if RTL_LETTER.search(str(value)):
        return format_html("<bdi>{}</bdi>", text)
    return ltr(text)


# Plain-text emails have no markup: the same isolation with Unicode's
# isolate controls (LRI or FSI ... PDI), which a text email keeps invisible.
@register.filter
def ltr_text(value):
    if value is None or value == "":
        return value
    return f"\u2066{value}\u2069"


@register.filter
def bidi_text(value):
    if value is None or value == "":
        return value
    if RTL_LETTER.search(str(value)):
        return f"\u2068{value}\u2069"
    return ltr_text(value)
