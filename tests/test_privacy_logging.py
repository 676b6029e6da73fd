"""No personal data in logs or error reports."""

import logging

from django.test import RequestFactory

from shatil_portal.privacy import NoFormDataExceptionReporterFilter, PersonalDataFilter


def _record(msg, args):
    return logging.LogRecord("test", logging.INFO, __file__, 1, msg, args, None)


def test_emails_and_phone_numbers_are_masked_in_positional_log_arguments():
    record = _record("Sent to %s (phone %s)", ("dana@example.org", "050-123-4567"))

    PersonalDataFilter().filter(record)

    assert record.getMessage() == "Sent to [redacted] (phone [redacted])"


def test_mapping_log_arguments_are_masked():
    """Celery logs with %(name)s placeholders and a dict of arguments."""
    record = _record(
        "Task %(name)s for %(email)s", ({"name": "x", "email": "a@b.org"},)
    )

    PersonalDataFilter().filter(record)

    assert record.getMessage() == "Task x for [redacted]"


def test_personal_data_in_the_message_itself_is_masked():
    record = _record("Failed for +972 50 123 4567 / avi@example.co.il", ())

    PersonalDataFilter().filter(record)

    assert "4567" not in record.getMessage()
    assert "avi@" not in record.getMessage()


def test_error_reports_never_include_what_was_typed_into_a_form():
    request = RequestFactory().post(
        "/request/", {"contact_email": "dana@example.org", "goal": "secret"}
    )

    cleaned = NoFormDataExceptionReporterFilter().get_post_parameters(request)

    assert "dana@example.org" not in str(cleaned)
    assert "secret" not in str(cleaned)
    assert set(cleaned) == {"contact_email", "goal"}
