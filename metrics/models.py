"""Daily snapshots of the four figures, so the trend is quick and history stays as reported."""

from django.db import models

from metrics.definitions import METRIC_KEYS, METRICS


class MetricSnapshot(models.Model):
    """One figure of one account for one local date (in the account's time zone).

    Written by ``metrics.services.take_snapshots`` (hourly, see metrics/cron.py). A day's
    snapshot is recomputed until ``SETTLE_DAYS`` after the day, while late events (a
    cancellation, a delivery, a scan) can still change it; then it is final and never
    rewritten, so the trend shows history as it was reported.
    """

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE, related_name="metric_snapshots")
    day = models.DateField(help_text="Local date in the account's time zone.")
    metric = models.CharField(max_length=40, choices=[(key, METRICS[key].name) for key in METRIC_KEYS])
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    is_final = models.BooleanField(default=False, help_text="Settled: the job no longer recomputes it.")

    class Meta:
        ordering = ["-day", "account", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "metric"], name="metricsnapshot_unique_account_day"),
            models.CheckConstraint(condition=models.Q(numerator__lte=models.F("denominator")),
                                   name="metricsnapshot_numerator_le_denominator"),
        ]
        indexes = [models.Index(fields=["day", "account"], name="metricsnapshot_day_account")]

    def __str__(self):
        return f"{self.metric} {self.account_id} {self.day}: {self.numerator}/{self.denominator}"

    @property
    def value(self):
        return None if not self.denominator else self.numerator / self.denominator
