from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """When a background process last proved it runs (shatil_portal/health.py).

    The "worker" row is written by a task that beat schedules every minute
    and a worker executes: a fresh row proves both are alive.
    """

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.beat_at.isoformat()}"
