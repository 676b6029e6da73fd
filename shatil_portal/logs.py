"""Logs a person can read (docs/DEPLOYMENT.md#logs).

- One time zone: Django's TIME_ZONE (Israel time) in Django's, Celery's and
  gunicorn's lines, with the UTC offset written out where the library lets
  us (settings.LOGGING, gunicorn.conf.py).
- The visitor's address in gunicorn's access log, not the proxy's: the
  address the rate limits count (shatil_portal/client_address.py), handed to
  gunicorn in the WSGI environment.
- A request for a host name the portal does not serve (a scanner, a probe by
  IP address) is a warning of one line, not an error with a traceback.
"""

import logging

from .client_address import client_address

# gunicorn.conf.py's access_log_format reads it as %({shatil.client_address}e)s.
CLIENT_ADDRESS_KEY = "shatil.client_address"


class ClientAddressMiddleware:
    """Puts the visitor's address where gunicorn's access log finds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META[CLIENT_ADDRESS_KEY] = client_address(request) or "-"
        return self.get_response(request)


class DisallowedHostAsWarning(logging.Filter):
    """On the django.security.DisallowedHost logger: Django logs these as
    errors with a traceback (and mails them to the admins); they are noise
    from the internet, worth one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        return True
