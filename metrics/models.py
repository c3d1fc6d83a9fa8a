"""Daily snapshots of the four figures, so the trend is quick and history stays as reported."""

from django.db import models

from metrics.definitions import METRIC_KEYS, METRICS
from metrics.fields import PackedIntegersField


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


class AfterSalesSnapshot(models.Model):
    """The after-sales counts of one account for one local date that add up from day to day: the
    seller-fault cancellations by reason of the orders placed that day, and the buyer requests
    (cancellation requests and channel returns) decided that day, judged against their deadline.

    Written with the figures' snapshots by ``metrics.services.take_snapshots`` and settled the
    same way (``is_final``). The metrics page adds them up for a window, as it does the four
    figures (metrics/selectors/after_sales_daily.py). The non-buyer-fault return rate's numerator
    (an order counts once however many days its returns span) and the median response time do
    not add up from days, so the day keeps what they are made of instead: the orders with a return
    against the seller requested that day, and every response time of the requests decided that
    day; a window's figure is then the union of its days' orders and the median of its days'
    times, exactly as counted live. Rows written before these existed have them empty (null) until
    the job fills them in.
    """

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE,
                                related_name="after_sales_snapshots")
    day = models.DateField(help_text="Local date in the account's time zone.")
    cancelled_out_of_stock = models.PositiveIntegerField(default=0)
    cancelled_missed_sla = models.PositiveIntegerField(default=0)
    cancelled_seller_request = models.PositiveIntegerField(default=0)
    cancelled_other = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0, help_text="Buyer requests decided that day.")
    judged = models.PositiveIntegerField(default=0, help_text="Of those, with a deadline or approved by the channel.")
    on_time = models.PositiveIntegerField(default=0, help_text="Of those, decided by the seller by the deadline.")
    auto_approved = models.PositiveIntegerField(default=0, help_text="Of those decided, approved by the channel.")
    returned_orders = PackedIntegersField(
        null=True, blank=True,
        help_text="Ids of the orders with a return against the seller requested that day (null: not stored yet).")
    response_times = PackedIntegersField(
        null=True, blank=True,
        help_text="Response time of each request decided that day, in microseconds (null: not stored yet).")
    computed_at = models.DateTimeField()
    is_final = models.BooleanField(default=False, help_text="Settled: the job no longer recomputes it.")

    class Meta:
        ordering = ["-day", "account"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="aftersalessnapshot_unique_account_day"),
            models.CheckConstraint(condition=models.Q(on_time__lte=models.F("judged"), judged__lte=models.F("decided"),
                                                      auto_approved__lte=models.F("judged")),
                                   name="aftersalessnapshot_counts_nested"),
        ]

    def __str__(self):
        return f"after-sales {self.account_id} {self.day}"
