"""Keep personal data and secret links out of logs and error reports.

One function, mask_personal_data, is what every log line goes through: the
logging filter below sits on every handler of Django's configuration
(settings.LOGGING) and of Celery's (shatil_portal/celery.py), gunicorn's
logger class uses it for the access and error logs
(shatil_portal/gunicorn_logging.py), and the exception reporter applies it to
the error report that Django mails to the admins.
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Israeli and international phone numbers as people type them: 050-123-4567,
# +972 50 123 4567, 02 623 4567.
PHONE_PATTERN = re.compile(r"(?<![\w])\+?\d[\d\- ]{7,}\d(?![\w])")
MASK = "[redacted]"
# The private links' token is the path segment after /request/status/ or
# /feedback/ (language prefix or not, percent-encoded slashes too, as in a
# "next" parameter): whoever reads it holds the requester's access. Any run
# of token characters there is masked, shorter than a real token too; an
# admin page's number (/admin/consultations/feedback/12/) is not one.
SLASH = r"(?:/|%2F)"
TOKEN_IN_PATH = re.compile(
    rf"({SLASH}(?:request{SLASH}(?:status|member)|feedback){SLASH})[A-Za-z0-9_-]{{8,}}",
    re.IGNORECASE,
)
TOKEN_MASK = "[token]"


def mask_personal_data(text: str) -> str:
    """The text with secret tokens, email addresses and phone numbers
    masked: what every log line and error report goes through."""
    text = TOKEN_IN_PATH.sub(rf"\g<1>{TOKEN_MASK}", text)
    return PHONE_PATTERN.sub(MASK, EMAIL_PATTERN.sub(MASK, text))


class PersonalDataFilter(logging.Filter):
    """Masks secret tokens, email addresses and phone numbers in every log
    record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            # A traceback's messages may quote a URL; formatted once here,
            # handlers use this text instead of formatting it again.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = mask_personal_data(text)
        elif record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - logging reports a bad record itself
            return True
        # The whole message, not the template and its arguments apart: in
        # "/feedback/%s/" the token is only recognizable once formatted.
        record.msg = mask_personal_data(message)
        record.args = None
        return True


class NoFormDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports never include what a user typed into a form."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}


class RedactingExceptionReporter(ExceptionReporter):
    """The error report (the admins' email, the debug page) without the
    request's secret token: its URL, headers and frame variables all quote
    it, so the whole text is masked, and the token itself wherever it
    appears (a frame's keyword arguments, say)."""

    def get_traceback_text(self):
        return self._redact(super().get_traceback_text())

    def get_traceback_html(self):
        return self._redact(super().get_traceback_html())

    def _redact(self, text: str) -> str:
        match = getattr(self.request, "resolver_match", None)
        token = match.kwargs.get("token") if match else None
        if token:
            text = text.replace(str(token), TOKEN_MASK)
        return mask_personal_data(text)
