"""Keep personal data out of logs and error reports."""

import logging
import re
from collections.abc import Mapping

from django.views.debug import SafeExceptionReporterFilter

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Israeli and international phone numbers as people type them: 050-123-4567,
# +972 50 123 4567, 02 623 4567.
PHONE_PATTERN = re.compile(r"(?<![\w])\+?\d[\d\- ]{7,}\d(?![\w])")
MASK = "[redacted]"


def mask_personal_data(text: str) -> str:
    return PHONE_PATTERN.sub(MASK, EMAIL_PATTERN.sub(MASK, text))


class PersonalDataFilter(logging.Filter):
    """Masks email addresses and phone numbers in every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(str(record.msg))
        if isinstance(record.args, Mapping):
            # "%(name)s"-style records (Celery's) keep their mapping.
            record.args = {
                key: _mask_value(value) for key, value in record.args.items()
            }
        elif record.args:
            record.args = tuple(_mask_value(arg) for arg in record.args)
        return True


def _mask_value(value):
    return mask_personal_data(value) if isinstance(value, str) else value


class NoFormDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports never include what a user typed into a form."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}
