"""Dates in Arabic read as they are written in Israel: day, month, year and a
24-hour clock, like the Hebrew pages (shatil_portal/formats/)."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from tests.factories import ConsultationFactory

AT = datetime.datetime(2026, 12, 4, 23, 4, tzinfo=zoneinfo.ZoneInfo("Asia/Jerusalem"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", "4 ديسمبر 2026، 23:04"), ("he", "4 בדצמבר 2026 23:04")],
)
def test_the_date_filter_writes_day_month_year_and_24_hours(language, expected):
    with translation.override(language):
        rendered = Template('{{ at|date:"DATETIME_FORMAT" }}').render(
            Context({"at": AT})
        )
    assert rendered == expected


def test_arabic_short_formats_and_times_are_day_first_and_24_hours():
    with translation.override("ar"):
        assert formats.date_format(AT, "SHORT_DATE_FORMAT") == "04/12/2026"
        assert formats.date_format(AT, "SHORT_DATETIME_FORMAT") == "04/12/2026 23:04"
        assert formats.time_format(AT.time()) == "23:04"
        assert formats.localize(AT.date()) == "4 ديسمبر 2026"


@pytest.mark.django_db
def test_the_arabic_status_page_dates_the_consent_day_first_in_24_hours(
    client, catalog
):
    token = "date-format-token-0123456789abcdefghijklmn"
    ConsultationFactory(status_token=token, consent_given_at=AT)

    html = client.get(f"/ar/request/status/{token}/").content.decode()

    assert "4 ديسمبر 2026، 23:04" in html
    assert "ديسمبر 4," not in html
    assert " م<" not in html and "11:04" not in html
