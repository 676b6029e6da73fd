"""Every CSV the portal hands out goes through this writer.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return before one) as a formula, so text typed into the
public form could become a live link or command on a staff computer. The
OWASP rule: such a text cell gets a leading ``'``, which spreadsheets show
as plain text. Numbers, stored or typed as plain numbers ("-5", "3.2"), are
left alone so that they still add up. The file starts with a UTF-8
byte-order mark, so that Excel opens Hebrew and Arabic correctly.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """The value as a spreadsheet should see it: text that would start a
    formula gets a leading ``'``; numbers and other text pass unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """The byte-order mark, then each row as one CSV line, lazily: feed a
    StreamingHttpResponse, or join them."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_text(rows: Iterable[Iterable]) -> str:
    """The whole file as one string (byte-order mark included)."""
    return "".join(csv_lines(rows))
