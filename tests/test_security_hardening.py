"""Hardening beyond the public pages (tests/test_security_headers.py covers
those): the same headers on signed-in admin and workspace pages, private
links that are long, random, compared in constant time, never cached,
rate-limited and dead once the request is anonymized, and no uploads."""

import hmac
import secrets
from unittest import mock

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from consultations.selectors import followups as followup_selectors
from consultations.selectors import requester as requester_selectors
from consultations.services.feedback import FEEDBACK_TOKEN_BYTES
from consultations.services.intake import STATUS_TOKEN_BYTES, status_token_new
from consultations.services.retention import consultation_anonymize
from tests.security_support import (
    ADVISOR,
    COORDINATOR,
    FEEDBACK_TOKEN,
    STATUS_TOKEN,
    build_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    settings.RATELIMIT_ENABLE = False
    return build_world()


def _assert_hardened(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_admin_pages_carry_the_same_headers(client, world):
    client.force_login(world.users[COORDINATOR])
    pages = [
        reverse("admin:index"),
        reverse("admin:consultations_consultation_changelist"),
        reverse("admin:consultations_consultation_change", args=[world.normal.pk]),
        reverse("admin:consultations_consultation_decline", args=[world.normal.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        _assert_hardened(response)


def test_the_csv_export_is_a_download_with_the_same_headers(client, world):
    client.force_login(world.users[COORDINATOR])

    response = client.get(reverse("admin:consultations_consultation_export"))

    assert response["Content-Disposition"].startswith("attachment;")
    _assert_hardened(response)


def test_workspace_pages_carry_the_same_headers(client, world):
    client.force_login(world.users[ADVISOR])
    for page in [
        reverse("workspace:my_requests"),
        reverse("workspace:request_detail", kwargs={"pk": world.normal.pk}),
    ]:
        _assert_hardened(client.get(page))


def test_private_pages_are_never_cached_and_never_leak_their_link(client, world):
    """The token is in the URL: no cache keeps the page, and Referrer-Policy
    keeps the URL from other sites."""
    for url in [
        reverse("consultations:request_status", kwargs={"token": STATUS_TOKEN}),
        reverse("consultations:request_withdraw", kwargs={"token": STATUS_TOKEN}),
        reverse("consultations:feedback", kwargs={"token": FEEDBACK_TOKEN}),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]
        _assert_hardened(response)


def test_private_links_are_long_and_random():
    tokens = {status_token_new()[0] for _ in range(50)}

    assert len(tokens) == 50
    assert STATUS_TOKEN_BYTES >= 32
    assert FEEDBACK_TOKEN_BYTES >= 32
    assert all(len(token) >= 43 for token in tokens)


def test_only_the_hash_of_a_status_link_is_stored(world):
    token, digest = status_token_new()

    assert token not in digest
    assert len(digest) == 64


@pytest.mark.parametrize(
    ("module", "lookup", "token"),
    [
        (requester_selectors, "consultation_get_by_status_token", STATUS_TOKEN),
        (followup_selectors, "feedback_get_by_token", FEEDBACK_TOKEN),
    ],
)
def test_the_deciding_token_comparison_is_constant_time(world, module, lookup, token):
    with mock.patch.object(
        module.hmac, "compare_digest", wraps=hmac.compare_digest
    ) as compare:
        assert getattr(module, lookup)(token=token) is not None

    compare.assert_called_once()


def test_feedback_lookups_are_rate_limited_per_address(client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOOKUP = "2/h"
    address = "2001:db8:{:x}:{:x}::1".format(*(secrets.randbelow(0xFFFF) for _ in "ab"))
    answers = [
        client.get(
            reverse(
                "consultations:feedback",
                kwargs={"token": secrets.token_urlsafe(32)},
            ),
            REMOTE_ADDR=address,
        ).status_code
        for _ in range(3)
    ]

    assert answers == [404, 404, 429]


def test_both_private_links_stop_working_once_the_request_is_anonymized(client, world):
    status_url = reverse("consultations:request_status", kwargs={"token": STATUS_TOKEN})
    feedback = world.objects["consultations.feedback"]
    feedback_url = reverse("consultations:feedback", kwargs={"token": FEEDBACK_TOKEN})
    assert client.get(status_url).status_code == 200
    assert client.get(feedback_url).status_code == 200

    for consultation in [world.normal, feedback.consultation]:
        consultation_anonymize(
            consultation=consultation,
            actor=world.users[COORDINATOR],
            reason="Data-subject request",
        )

    assert client.get(status_url).status_code == 404
    assert client.get(feedback_url).status_code == 404


def test_the_only_uploads_are_attachments_on_the_private_storage():
    """Files are stored only through the private "attachments" storage:
    attachments (whose checks are tests/consultations/test_attachments.py's)
    and the original messages of received email; no other file field, and
    no public storage, holds an upload (docs/SECURITY.md)."""
    from django.core.files.storage import storages

    file_fields = [
        (f"{model._meta.label}.{field.name}", field.storage)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert sorted(name for name, _ in file_fields) == [
        "consultations.Attachment.file",
        "consultations.InboundMail.raw",
    ]
    assert all(storage is storages["attachments"] for _, storage in file_fields)


def test_an_oversized_post_is_refused_not_a_crash(client, world):
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) bounds every body."""
    response = client.post(
        reverse("consultations:request_new"),
        {"goal": "x" * (3 * 1024 * 1024)},
    )

    assert response.status_code == 400
