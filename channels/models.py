"""Sync state of the channel connections (app label "channels"; the tables keep the names they had
when these models lived in the kernel app, so an upgrade rebuilds nothing).

- SyncCursor: where the order pull of one account stands. Its position moves only after the
  page it points past has been stored, so an interrupted pull resumes where it stopped.
- SyncRun: one run of a sync job (pull orders, push stock, push tracking, refresh the token...),
  with its counts and error: the sync log the owner reads and retries from.

The channels' verified notifications are in the kernel's webhook inbox (``sellerhub.WebhookEvent``,
source = the channel's code).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SyncCursor(models.Model):
    class Stream(models.TextChoices):
        ORDERS = "orders", "Orders"

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE, related_name="sync_cursors")
    stream = models.CharField(max_length=20, choices=Stream.choices, default=Stream.ORDERS)
    since = models.DateTimeField(
        null=True, blank=True, help_text="Orders changed at or after this time (the channel's clock) are fetched next.")
    position = models.JSONField(default=dict, blank=True,
                                help_text="A pull in progress: its window, the next page and what it has seen.")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed pulls in a row.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sellerhub_synccursor"
        constraints = [models.UniqueConstraint(fields=["account", "stream"], name="synccursor_unique_account_stream")]

    def __str__(self):
        return f"{self.account_id}:{self.stream} since {self.since}"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        PULL_ORDERS = "pull_orders", "Pull orders"
        PUSH_STOCK = "push_stock", "Push stock"
        PUSH_TRACKING = "push_tracking", "Push tracking"
        REFRESH_TOKEN = "refresh_token", "Refresh token"
        WEBHOOK = "webhook", "Process webhook"
        IMPORT_LISTINGS = "import_listings", "Import listings"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        WEBHOOK = "webhook", "Webhook"
        MANUAL = "manual", "Sync now"
        OUTBOX = "outbox", "Stock change"
        SHIPMENT = "shipment", "Package shipped"
        RETRY = "retry", "Retry"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly failed"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING, db_index=True)
    args = models.JSONField(default=dict, blank=True, help_text="What the run was about (e.g. the package id).")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    items_ok = models.PositiveIntegerField(default=0, help_text="Orders stored, listings or packages pushed.")
    items_failed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    cursor_before = models.CharField(max_length=64, blank=True)
    cursor_after = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    retryable = models.BooleanField(null=True, blank=True, help_text="Whether retrying may help.")
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    job_run = models.ForeignKey("sellerhub.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        db_table = "sellerhub_syncrun"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "kind", "-started_at"], name="syncrun_account_kind_started")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_finished(self):
        return self.status != self.Status.RUNNING

    @property
    def duration(self):
        if self.finished_at and self.started_at:
            return self.finished_at - self.started_at
        return None



class ListingEdit(models.Model):
    """The owner's change of a listing's title and/or price, pushed to the channel by a job; the
    record of what was asked, by whom, and what the channel answered."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent: the channel accepted it"
        FAILED = "failed", "Failed"

    listing = models.ForeignKey("inventory.ChannelListing", on_delete=models.CASCADE, related_name="edits")
    title = models.CharField(max_length=200, blank=True, help_text="The new title (empty: unchanged).")
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                help_text="The new price (empty: unchanged).")
    previous_title = models.CharField(max_length=200, blank=True)
    previous_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    message = models.CharField(max_length=500, blank=True, help_text="The channel's answer, in words.")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Listing edit #{self.pk} ({self.status})"
