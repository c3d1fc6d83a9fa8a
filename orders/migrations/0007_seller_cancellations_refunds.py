"""Seller cancellations and refunds: ``Order.cancel_reason_code`` (backfilled for cancelled orders
from their initiator and reason, where the words allow it), the seller-cancellation outbox and
the channel refunds."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# A frozen copy of orders.cancel_reasons.classify as it was when this migration was written.
_WORDS = (
    (("out of stock", "out_of_stock", "no stock", "sold out", "inventory"), "out_of_stock"),
    (("overdue", "late dispatch", "not shipped in time", "failed to ship", "shipping sla", "auto-cancel",
      "auto cancel", "automatically cancel", "timeout", "time out", "exceeded"), "missed_sla"),
    (("pricing", "price error", "wrong price"), "pricing_error"),
    (("buyer asked", "buyer requested", "buyer changed", "customer asked", "customer requested"), "buyer_request"),
    (("unable to deliver", "undeliverable", "address", "cannot deliver", "can't deliver"), "unable_to_deliver"),
)


def _classify(initiator, reason):
    text = (reason or "").strip().lower()
    for words, code in _WORDS:
        if any(word in text for word in words):
            return code
    who = (initiator or "").upper()
    if who == "BUYER":
        return "buyer_request"
    if who == "SELLER":
        return "seller_request"
    return ""


def backfill_codes(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    cancelled = Order.objects.filter(status="cancelled", cancel_reason_code="")
    for order in cancelled.only("pk", "cancel_initiator", "cancel_reason").iterator(chunk_size=2000):
        code = _classify(order.cancel_initiator, order.cancel_reason)
        if code:
            Order.objects.filter(pk=order.pk).update(cancel_reason_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_channel_returns"),
        ("sellerhub", "0003_channelaccount"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="cancel_reason_code",
            field=models.CharField(blank=True, choices=[("", "Not known"), ("out_of_stock", "Out of stock"), ("missed_sla", "Auto-cancelled for a missed deadline"), ("seller_request", "Seller's request"), ("buyer_request", "Buyer's request"), ("pricing_error", "Pricing error"), ("unable_to_deliver", "Unable to deliver"), ("other", "Other")], db_index=True, default="", help_text="Why it was cancelled, as the figures count it.", max_length=20),
        ),
        migrations.RunPython(backfill_codes, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SellerCancellation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(choices=[("out_of_stock", "Out of stock"), ("pricing_error", "Pricing error"), ("unable_to_deliver", "Unable to deliver to the buyer's address"), ("buyer_requested", "The buyer asked to cancel"), ("other", "Other reason")], help_text="One of the connectors' CANCEL_REASONS.", max_length=30)),
                ("note", models.CharField(blank=True, help_text="The seller's words, shown to the buyer where the channel has a place for them.", max_length=500)),
                ("line_external_ids", models.JSONField(blank=True, default=list, help_text="Empty: the whole order.")),
                ("idempotency_key", models.CharField(help_text="The same for every try.", max_length=64, unique=True)),
                ("state", models.CharField(choices=[("queued", "Waiting to send"), ("sent", "Sent to the channel"), ("failed", "Failed"), ("not_supported", "Cancel it on the channel")], db_index=True, default="queued", max_length=14)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("retryable", models.BooleanField(default=False, help_text="The last failure may pass on a retry.")),
                ("channel_reference", models.CharField(blank=True, help_text="The channel's id of the cancellation.", max_length=100)),
                ("channel_status", models.CharField(blank=True, help_text="The channel's status after the call.", max_length=60)),
                ("queued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("order", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="seller_cancellation", to="orders.order")),
            ],
            options={
                "ordering": ["-queued_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Refund",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("external_id", models.CharField(help_text="The channel's refund id.", max_length=100)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                ("currency", models.CharField(default="USD", max_length=3)),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("channel_status", models.CharField(blank=True, help_text="The refund's status on the channel.", max_length=30)),
                ("through_gateway", models.BooleanField(blank=True, help_text="Paid back through the payment gateway; empty when unknown.", null=True)),
                ("refunded_at", models.DateTimeField(blank=True, help_text="When the channel created it.", null=True)),
                ("source", models.CharField(choices=[("channel", "Made on the channel"), ("sellerhub", "Made from SellerHub")], default="channel", max_length=10)),
                ("raw", models.JSONField(blank=True, default=dict, help_text="The channel's refund as last read.")),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="refunds", to="sellerhub.channelaccount")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="refunds", to="orders.order")),
                ("ret", models.ForeignKey(blank=True, help_text="The return this refund pays for, when they match.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="refunds", to="orders.return")),
            ],
            options={
                "ordering": ["-refunded_at", "-id"],
                "constraints": [models.UniqueConstraint(fields=("account", "external_id"), name="refund_unique_account_external_id")],
            },
        ),
    ]
