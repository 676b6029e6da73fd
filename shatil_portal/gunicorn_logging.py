"""gunicorn's access and error logs without secret tokens or personal data.

The Procfile names this class (``--logger-class``). Each access-log atom
(request line, path, query, referrer, headers) and each error-log record
goes through shatil_portal.privacy.mask_personal_data, the same function as
Django's and Celery's logs.
"""

from gunicorn.glogging import Logger

from shatil_portal.privacy import PersonalDataFilter, mask_personal_data


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        # Records logged straight to these loggers (gunicorn's own messages,
        # "Error handling request /request/status/...") pass the filter.
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, PersonalDataFilter) for f in log.filters):
                log.addFilter(PersonalDataFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        return {
            key: mask_personal_data(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
