"""The Celery application, configured from Django settings (namespace CELERY)."""

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    task_postrun,
    task_prerun,
)
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shatil_portal.settings")

app = Celery("shatil_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_as_for_a_request(task=None, **kwargs) -> None:
    """Before and after each task, what Django does around each request:
    close a connection that is broken or older than CONN_MAX_AGE, keep a
    healthy one (settings.CELERY_DB_REUSE_MAX explains why). A task run
    eagerly is inside its caller's transaction, which is left alone."""
    if task is not None and task.request.is_eager:
        return
    close_old_connections()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _mask_personal_data_in_worker_logs(logger=None, **kwargs) -> None:
    """The worker replaces Django's log handlers with its own: they get the
    same filter, so no token, address or phone number reaches its log."""
    from shatil_portal.privacy import PersonalDataFilter

    for handler in logger.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
