"""The kernel's models: capabilities, job runs, channel accounts and the webhook inbox."""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone

from sellerhub.crypto import EncryptedJSONField
from sellerhub.job_names import job_name
from sellerhub.roles import CAPABILITIES


class Capability(models.Model):
    """Holds the role capabilities as permissions (`sellerhub.<codename>`); it has no table."""

    class Meta:
        managed = False
        verbose_name_plural = "capabilities"
        default_permissions = ()
        permissions = [(codename, text) for codename, (text, _roles) in CAPABILITIES.items()]

    def __str__(self):
        return "capability"


class JobRun(models.Model):
    """One run of a background job, as the pages and ops see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        # "Finished", not "Succeeded": a job that did its work may still have refused the input
        # ("Rejected: nothing imported"); its message says how it ended.
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=64, db_index=True)
    queue = models.CharField(max_length=32, default="default")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    rq_job_id = models.CharField(max_length=64, blank=True)
    timeout = models.PositiveIntegerField(default=1800, help_text="Seconds the job may run before it is given up.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "job run"
        verbose_name_plural = "job runs"
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="jobrun_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def name(self):
        """The kind in the user's words ("Channel sync")."""
        return job_name(self.kind)


class Channel(models.TextChoices):
    TIKTOK = "tiktok", "TikTok Shop"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    ETSY = "etsy", "Etsy"
    SQUARE = "square", "Square"
    MANUAL = "manual", "Manual"


def default_location_priority():
    return ["MAIN"]


class ChannelAccount(models.Model):
    """One connected shop on one channel, with its calendar and stock rules, and the health of
    its connection (``state``; written only by ``channels.health``)."""

    class State(models.TextChoices):
        CONNECTED = "connected", "Connected"
        FAILING = "failing", "Failing"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
        PAUSED = "paused", "Paused"
        DISCONNECTED = "disconnected", "Disconnected"

    name = models.CharField(max_length=120)
    channel = models.CharField(max_length=20, choices=Channel.choices, db_index=True)
    # True while the scheduled jobs sync the account (connected or failing); kept in step with
    # ``state`` by channels.health, so every reader of ``active`` means "syncs".
    active = models.BooleanField(default=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CONNECTED, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True, help_text="First failure of the current run of them.")
    failures = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True, help_text="Scheduled jobs skip the account until then.")
    last_error = models.CharField(max_length=500, blank=True, help_text="The last failure, in the seller's words.")
    authorization_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the channel says the seller's authorisation ends (TikTok type 7).")
    # Where the channel's API lives (the public host, or the loopback emulator in the demo).
    api_base_url = models.URLField(blank=True)
    # The shop's id on the channel (TikTok shop id/cipher, Etsy shop id, Woo site, Square location).
    shop_id = models.CharField(max_length=120, blank=True)
    credentials = EncryptedJSONField(blank=True, default=dict, help_text="Encrypted at rest; never displayed.")
    # Calendar: dispatch deadlines for channels that don't send their own.
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles")
    handling_days = models.PositiveSmallIntegerField(default=2, help_text="Handling time in business days.")
    cutoff_time = models.TimeField(default=time(23, 59), help_text="Daily order cut-off, local time.")
    transit_days = models.PositiveSmallIntegerField(default=5, help_text="Carrier transit time in business days.")
    holiday_country = models.CharField(max_length=2, default="US")
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    # Stock: sellable own locations to reserve from, in order; buffer held back from this channel.
    location_priority = models.JSONField(default=default_location_priority, blank=True)
    stock_buffer_units = models.PositiveIntegerField(default=0)
    stock_buffer_percent = models.PositiveSmallIntegerField(default=0)
    # Stock rules (inventory.stock_rules): a share of available, a maximum shown, show 0 at or below N.
    stock_share_percent = models.PositiveSmallIntegerField(
        default=100, help_text="Percentage of available (after the buffer) shown on this channel.")
    stock_max_shown = models.PositiveIntegerField(null=True, blank=True,
                                                  help_text="Never show more than this (empty: no maximum).")
    stock_zero_at_or_below = models.PositiveIntegerField(
        default=0, help_text="Show 0 when this many or fewer are available (0: off).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock_buffer_percent__lte=100), name="account_buffer_pct_le_100"),
            models.CheckConstraint(condition=models.Q(stock_share_percent__lte=100), name="account_share_pct_le_100"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"



class WebhookEvent(models.Model):
    """The webhook inbox: one verified delivery from any source (a channel's code, the label
    provider's name, "tiktok_fbt"...), kept once per (source, account, key) so a delivery sent
    twice is processed once. Written only by ``sellerhub.inbox``."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=32, help_text="Who sent it: a channel code, \"easypost\", \"tiktok_fbt\"...")
    account = models.ForeignKey(ChannelAccount, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="webhook_events")
    key = models.CharField(max_length=200, help_text="The sender's id of the delivery (its notification or event id).")
    topic = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="The verified body.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times it was processed.")
    message = models.CharField(max_length=500, blank=True, help_text="What the processing did.")
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook inbox"
        constraints = [
            models.UniqueConstraint(fields=["source", "account", "key"], name="webhookevent_unique_source_account_key"),
            # NULL accounts are distinct in a plain unique constraint (SQLite and PostgreSQL alike).
            models.UniqueConstraint(fields=["source", "key"], condition=models.Q(account__isnull=True),
                                    name="webhookevent_unique_source_key_no_account"),
        ]

    def __str__(self):
        return f"{self.source} {self.topic or 'delivery'} {self.key}"
