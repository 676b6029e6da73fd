"""Outgoing mail over port 465 (TLS from the first byte) is a setting."""

from tests.deploy.support import load_settings

FLAGS = "[s.EMAIL_USE_TLS, s.EMAIL_USE_SSL]"


def test_ssl_for_port_465_is_a_setting():
    assert load_settings({"DJANGO_EMAIL_USE_SSL": "true"}, FLAGS) == [False, True]
    assert load_settings({"DJANGO_EMAIL_USE_TLS": "true"}, FLAGS) == [True, False]
    assert load_settings({}, FLAGS) == [False, False]


def test_tls_and_ssl_at_once_stop_start_up_with_a_clear_message():
    error = load_settings(
        {"DJANGO_EMAIL_USE_TLS": "true", "DJANGO_EMAIL_USE_SSL": "true"}, FLAGS
    )

    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "DJANGO_EMAIL_USE_SSL" in error and "not both" in error
