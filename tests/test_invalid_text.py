"""A form post whose bytes are not valid UTF-8 is refused with a page in the
page's language (400) and stores nothing, whether it came urlencoded
(percent-encoded bytes) or as multipart; Django would otherwise store the
damage as U+FFFD replacement characters."""

from urllib.parse import urlencode

import pytest
from django.test.client import BOUNDARY, encode_multipart

from consultations.models import Consultation, Message
from tests.factories import ConsultationFactory, request_form_data

pytestmark = pytest.mark.django_db

MARKER = "MARKER-INVALID"
# Hebrew ayin, then two bytes that are not UTF-8.
INVALID_PERCENT = "%D7%A2%FF%FE"
INVALID_BYTES = b"\xd7\xa2\xff\xfe"
# Not the test client's own MULTIPART_CONTENT, so that it sends the bytes
# as they are instead of encoding a dict.
MULTIPART = f"multipart/form-data;boundary={BOUNDARY}"
TOKEN = "status-token-for-tests-0123456789abcdefghij"


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


def _urlencoded(data: dict) -> str:
    return urlencode(data, doseq=True).replace(MARKER, INVALID_PERCENT)


def _multipart(data: dict) -> bytes:
    return encode_multipart(BOUNDARY, data).replace(MARKER.encode(), INVALID_BYTES)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/request/", "The form could not be read"),
        ("/request/", "לא ניתן היה לקרוא את הטופס"),
        ("/ar/request/", "تعذّرت قراءة النموذج"),
    ],
)
def test_the_request_form_refuses_invalid_utf8_urlencoded(
    client, catalog, path, expected
):
    body = _urlencoded(request_form_data(organization_name=MARKER))

    response = client.post(path, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_request_form_refuses_invalid_utf8_in_multipart(client, catalog):
    body = _multipart(request_form_data(contact_name=MARKER))

    response = client.post("/en/request/", body, content_type=MULTIPART)

    assert response.status_code == 400
    assert "The form could not be read" in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_valid_post_of_the_same_form_still_goes_through(client, catalog):
    body = urlencode(request_form_data(), doseq=True)

    response = client.post(
        "/en/request/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 302
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_the_status_pages_message_form_refuses_invalid_utf8(client, catalog, encoding):
    ConsultationFactory(status_token=TOKEN)
    url = f"/en/request/status/{TOKEN}/"
    if encoding == "urlencoded":
        response = client.post(
            url,
            _urlencoded({"body": f"Please call {MARKER}"}),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post(
            url,
            _multipart({"body": f"Please call {MARKER}"}),
            content_type=MULTIPART,
        )

    assert response.status_code == 400
    assert "The form could not be read" in response.content.decode()
    assert not Message.objects.exists()
