"""Buyer cancellation requests from the channels (orders.CancellationRequest)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_short_after_count"),
        ("sellerhub", "0003_channelaccount"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CancellationRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("external_id", models.CharField(help_text="The request's id on its channel (TikTok cancel_id).", max_length=64)),
                ("status", models.CharField(choices=[("pending", "Waiting for the seller"), ("approved", "Approved"), ("rejected", "Rejected"), ("auto_approved", "Approved by the channel (deadline missed)"), ("withdrawn", "Withdrawn by the buyer")], db_index=True, default="pending", max_length=16)),
                ("channel_status", models.CharField(blank=True, help_text="The status as the channel reports it.", max_length=40)),
                ("initiator", models.CharField(choices=[("buyer", "Buyer"), ("seller", "Seller"), ("system", "System")], default="buyer", max_length=6)),
                ("reason", models.CharField(blank=True, help_text="The buyer's reason, in the channel's words.", max_length=300)),
                ("requested_at", models.DateTimeField(help_text="When the request was opened on the channel.")),
                ("respond_by", models.DateTimeField(blank=True, db_index=True, help_text="The seller's deadline; the channel approves on its own after it.", null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("auto_approved", models.BooleanField(default=False, help_text="The channel approved it because the seller missed the deadline.")),
                ("refund_total", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("line_ids", models.JSONField(blank=True, default=list, help_text="The channel's ids of the lines concerned.")),
                ("decision", models.CharField(blank=True, choices=[("", "None"), ("approve", "Approve"), ("reject", "Reject")], default="", max_length=8)),
                ("reject_reason", models.CharField(blank=True, help_text="The channel's reject reason code.", max_length=120)),
                ("reject_comment", models.CharField(blank=True, max_length=500)),
                ("delivery", models.CharField(blank=True, choices=[("", "Nothing to send"), ("queued", "Being sent to the channel"), ("sent", "Accepted by the channel"), ("failed", "The channel refused it or could not be reached")], default="", max_length=8)),
                ("delivery_key", models.CharField(blank=True, help_text="The idempotency key every try of the decision carries.", max_length=100)),
                ("delivery_error", models.CharField(blank=True, max_length=500)),
                ("delivery_attempts", models.PositiveIntegerField(default=0)),
                ("channel_updated_at", models.DateTimeField(blank=True, help_text="The channel's own update time.", null=True)),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="cancellation_requests", to="sellerhub.channelaccount")),
                ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cancellation_requests", to="orders.order")),
            ],
            options={
                "ordering": ["respond_by", "pk"],
                "indexes": [models.Index(fields=["status", "respond_by"], name="cancelreq_status_due")],
                "constraints": [models.UniqueConstraint(fields=("account", "external_id"), name="cancellationrequest_unique_channel_id")],
            },
        ),
    ]
