"""The staff dashboard's precomputed figures (services/dashboard_counts.py):
requests by day of submission (Israel time), track, urgency, crisis and
current status, for the days before `DailyCountsCoverage.covered_until`;
and the response times of each month before that day's month.
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


class MonthlyResponseFigures(models.Model):
    """The first-response figures of the requests submitted in one month
    (Israel time), for one combination of the dashboard's filters: a track
    or all (null), an urgency or all (""), with or without crisis requests.
    Percentiles do not add up, so each combination is kept whole.

    Right until `stale_at`: the first moment an unanswered open request of
    the month passes its deadline and becomes late (null: none can)."""

    month = models.DateField()
    track = models.ForeignKey(
        "tracks.Track", null=True, on_delete=models.CASCADE, related_name="+"
    )
    urgency = models.CharField(max_length=20, blank=True)
    with_crisis = models.BooleanField()
    requests = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    measured = models.PositiveIntegerField()
    late = models.PositiveIntegerField()
    median = models.DurationField(null=True)
    p90 = models.DurationField(null=True)
    promised = models.DurationField(null=True)
    stale_at = models.DateTimeField(null=True)

    # No unique constraint: the job replaces every row at once, in one
    # transaction.

    def __str__(self):
        return f"{self.month} {self.track_id} {self.urgency}: {self.requests}"
