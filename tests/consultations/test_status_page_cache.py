"""The private status page served from the cache while nothing it shows has
changed: keyed by the request's version of what the page shows, so that
every change a service makes shows at the next visit, and with a CSRF token
of each visitor's own.

These tests commit (transactional_db): inside a transaction the cache is
bypassed.
"""

import re

import pytest
from django.test import Client

from consultations.models import Attachment, CoalitionMember, Consultation
from consultations.services.attachments import (
    attachments_add,
    message_to_organization_with_files,
)
from consultations.services.data_requests import (
    coalition_member_remove,
    consultation_contact_correct,
    deletion_request_create,
)
from consultations.services.intake import ContactDetails
from consultations.services.requester import (
    consultation_message_from_organization,
    consultation_withdraw,
)
from consultations.services.retention import consultation_anonymize
from consultations.services.transitions import (
    consultation_assign_advisor,
    consultation_start_triage,
)
from consultations.views.public import CSRF_TOKEN_PLACEHOLDER
from tests.factories import ConsultationFactory
from tests.migration_data import restore_staff_groups

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

TOKEN = "status-token-for-the-cache-0123456789abcdef"
STATUS_URL = f"/en/request/status/{TOKEN}/"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _caching_on(settings):
    settings.DEBUG = False
    settings.RATELIMIT_ENABLE = False
    # The flush between committing tests takes the staff groups with it.
    restore_staff_groups()


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(
        status_token=TOKEN, contact_name="Dana Levi", contact_email="dana@example.org"
    )
    CoalitionMember.objects.create(
        consultation=consultation, name="Parks Forum", contact_email="f@example.org"
    )
    return consultation


def _page() -> str:
    response = Client().get(STATUS_URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def _token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
    assert match
    return match[1]


def test_a_second_visit_is_the_one_query_that_finds_the_request(
    consultation, django_assert_max_num_queries
):
    first = _page()
    client = Client(enforce_csrf_checks=True)
    with django_assert_max_num_queries(2):
        response = client.get(STATUS_URL)
    html = response.content.decode()

    assert html.replace(_token(html), "") == first.replace(_token(first), "")
    assert CSRF_TOKEN_PLACEHOLDER not in html
    assert _token(html) != _token(first)
    # The cached page's token works with the cookie set beside it.
    posted = client.post(
        STATUS_URL, {"csrfmiddlewaretoken": _token(html), "body": "Hello team."}
    )
    assert posted.status_code == 302
    assert "Hello team." in _page()


def _triage(consultation, coordinator, advisor):
    consultation_start_triage(consultation=consultation, actor=coordinator)
    return "A coordinator is reviewing the request."


def _assign(consultation, coordinator, advisor):
    consultation_start_triage(consultation=consultation, actor=coordinator)
    _page()
    consultation_assign_advisor(
        consultation=consultation, advisor=advisor, actor=coordinator
    )
    return "An advisor was assigned: Yael."


def _staff_message(consultation, coordinator, advisor):
    message_to_organization_with_files(
        consultation=consultation,
        author=coordinator,
        body="Could you send the bylaw draft?",
        files=[("draft-request.pdf", PDF)],
    )
    return "draft-request.pdf"


def _organization_message(consultation, coordinator, advisor):
    # The one path of a message from the organization, the inbound mail's
    # included.
    consultation_message_from_organization(
        consultation=consultation, body="Here is what we tried."
    )
    return "Here is what we tried."


def _file(consultation, coordinator, advisor):
    attachments_add(
        consultation=consultation,
        files=[("budget.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )
    return "budget.pdf"


def _contact(consultation, coordinator, advisor):
    consultation_contact_correct(
        consultation=consultation,
        contact=ContactDetails(name="Dana Cohen", email="dana@example.org"),
    )
    return "Dana Cohen"


def _member_removed(consultation, coordinator, advisor):
    coalition_member_remove(member=consultation.coalition_members.get())
    return "was removed"


def _deletion_request(consultation, coordinator, advisor):
    deletion_request_create(consultation=consultation)
    return "The team will answer by"


def _withdrawn(consultation, coordinator, advisor):
    consultation_withdraw(consultation=consultation, reason="No longer needed.")
    return "You withdrew the request."


CHANGES = [
    _triage,
    _assign,
    _staff_message,
    _organization_message,
    _file,
    _contact,
    _member_removed,
    _deletion_request,
    _withdrawn,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__[1:])
def test_each_change_shows_at_the_next_visit(
    consultation, coordinator, advisor, change
):
    _page()
    _page()

    expected = change(consultation, coordinator, advisor)

    assert expected in _page()


def test_an_anonymized_request_is_no_longer_served_from_the_cache(
    consultation, coordinator
):
    _page()
    consultation_anonymize(
        consultation=consultation, actor=coordinator, reason="Asked by the org."
    )

    assert Client().get(STATUS_URL).status_code == 404


def test_a_direct_update_of_the_row_shows_too(consultation):
    """Not through a service: the row's values themselves key the page."""
    _page()
    Consultation.objects.filter(pk=consultation.pk).update(contact_role="Chair")

    assert "Chair" in _page()


def test_a_visitor_with_a_flash_message_gets_the_page_made_for_them(consultation):
    client = Client()
    _page()
    response = client.post(STATUS_URL, {"body": "A question."})
    assert response.status_code == 302

    html = client.get(STATUS_URL).content.decode()

    assert "Your message was sent to the team." in html
    assert "Your message was sent to the team." not in _page()
