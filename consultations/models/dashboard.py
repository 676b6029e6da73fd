"""The staff dashboard's precomputed counts (services/dashboard_counts.py):
requests by day of submission (Israel time), track, urgency, crisis and
current status, for the days before `DailyCountsCoverage.covered_until`.
Internal tables, never shown as such (no admin, no labels)."""

from django.db import models


class DailyRequestCount(models.Model):
    day = models.DateField()
    track = models.ForeignKey(
        "tracks.Track", on_delete=models.CASCADE, related_name="+"
    )
    urgency = models.CharField(max_length=20)
    is_crisis = models.BooleanField()
    status = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "track", "urgency", "is_crisis", "status"],
                name="daily_request_count_unique",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.track_id} {self.status}: {self.count}"


class DailyCountsCoverage(models.Model):
    """One row (pk 1): the counts hold every request submitted before
    `covered_until` (a day, Israel time); later ones are counted live. A
    status change moves it back to its request's day (null: nothing is
    covered)."""

    PK = 1

    covered_until = models.DateField(null=True)

    def __str__(self):
        return f"counted until {self.covered_until}"
