"""FBT models (app label "inventory"; imported by inventory/models.py). Declarative only: every
write goes through inventory.fbt.services, and stock through inventory.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class InboundShipment(models.Model):
    """Stock sent from an own warehouse to a TikTok FBT warehouse (TikTok's "inbound request",
    IBR, which SellerHub plans because TikTok offers no API to create one)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Planning"
        IN_TRANSIT = "in_transit", "In transit"
        PARTIALLY_RECEIVED = "partially_received", "Partly received"
        RECEIVED = "received", "Received"
        CLOSED = "closed", "Closed with a difference"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.DRAFT, Status.IN_TRANSIT, Status.PARTIALLY_RECEIVED)
    # Stock of the shipment is in TRANSIT in these.
    TRANSIT_STATUSES = (Status.IN_TRANSIT, Status.PARTIALLY_RECEIVED)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    source = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                               help_text="The own warehouse the stock leaves from.")
    destination = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="inbound_shipments",
                                    help_text="The TikTok FBT warehouse.")
    account = models.ForeignKey("sellerhub.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", help_text="The TikTok shop whose FBT warehouse this is.")
    ibr_id = models.CharField("TikTok inbound order id", max_length=64, blank=True, db_index=True,
                              help_text="The IBR number Seller Center gave the plan (e.g. IBR577087614418520388); "
                                        "TikTok's receiving notifications name it.")
    tiktok_status = models.CharField(max_length=24, blank=True, help_text="The IBR status TikTok last reported.")
    tiktok_updated_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=100, blank=True, help_text="Freight carrier or courier.")
    tracking_number = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True, help_text="The last receipt.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ibr_id"], condition=~Q(ibr_id=""), name="inbound_unique_ibr_id"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"IB-{self.pk:05d}" if self.pk else "IB-new"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def in_transit(self):
        return self.status in self.TRANSIT_STATUSES


class InboundLine(models.Model):
    """A SKU of an inbound shipment: planned (and shipped) quantity, what TikTok received."""

    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.PROTECT, related_name="+")
    goods_id = models.CharField(max_length=64, blank=True, help_text="TikTok's FBT goods id of the SKU.")
    quantity = models.PositiveIntegerField(help_text="Units planned, and shipped once the shipment leaves.")
    suggested = models.PositiveIntegerField(null=True, blank=True, help_text="What SellerHub suggested.")
    received = models.PositiveIntegerField(default=0, help_text="Units TikTok received in sellable condition.")
    damaged = models.PositiveIntegerField(default=0, help_text="Units TikTok received as defective.")
    resolved = models.PositiveIntegerField(default=0, help_text="Missing units written off or returned on close.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "sku"], name="inboundline_unique_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inboundline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku_id}"

    @property
    def accounted(self):
        return self.received + self.damaged + self.resolved

    @property
    def missing(self):
        """Shipped units TikTok has not (yet) received: the difference shown on the shipment."""
        return max(self.quantity - self.received - self.damaged, 0)

    @property
    def outstanding(self):
        """Units still in TRANSIT for this line."""
        return max(self.quantity - self.accounted, 0)


class InboundCarton(models.Model):
    """A carton of an inbound shipment, with its contents (printed on its carton label)."""

    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="cartons")
    number = models.PositiveIntegerField()
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number", "id"]
        constraints = [models.UniqueConstraint(fields=["shipment", "number"], name="inboundcarton_unique_number")]

    def __str__(self):
        return f"carton {self.number} of shipment {self.shipment_id}"

    @property
    def code(self):
        """The carton's own barcode: the shipment reference and the carton number."""
        return f"IB-{self.shipment_id:05d}-C{self.number:02d}"


class InboundCartonItem(models.Model):
    carton = models.ForeignKey(InboundCarton, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(InboundLine, on_delete=models.CASCADE, related_name="carton_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["carton", "line"], name="inboundcartonitem_unique_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inboundcartonitem_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x line {self.line_id} in carton {self.carton_id}"


class InboundEvent(models.Model):
    """The shipment's history: planned, shipped, TikTok's statuses, receipts, closing."""

    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    actor = models.CharField(max_length=60, blank=True, help_text='A username, "tiktok" (webhook or sync)...')
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.shipment_id} {self.kind}"


class FbtStock(models.Model):
    """TikTok's own figures for a SKU at an FBT warehouse, as last synchronised. The FBT
    location's on hand (what the rest of SellerHub reads) is set from them through the ledger."""

    location = models.ForeignKey("inventory.Location", on_delete=models.CASCADE, related_name="fbt_stock")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.CASCADE, related_name="fbt_stock")
    goods_id = models.CharField(max_length=64, blank=True)
    goods_name = models.CharField(max_length=300, blank=True)
    total = models.IntegerField(default=0, help_text="Physically in the warehouse.")
    available = models.IntegerField(default=0, help_text="Available for buyers to order.")
    reserved = models.IntegerField(default=0, help_text="Committed to orders TikTok has not shipped yet.")
    unfulfillable = models.IntegerField(default=0, help_text="Damaged or otherwise unsellable.")
    in_transit = models.IntegerField(default=0, help_text="On inbound requests not received yet (TikTok's view).")
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["location_id", "sku_id"]
        verbose_name = "FBT stock"
        verbose_name_plural = "FBT stock"
        constraints = [models.UniqueConstraint(fields=["location", "sku"], name="fbtstock_unique_location_sku")]

    def __str__(self):
        return f"{self.sku_id}@{self.location_id}: {self.available} available"

    @property
    def sellable_on_hand(self):
        """What SellerHub keeps as the FBT location's on hand: available + committed."""
        return max(self.total - self.unfulfillable, 0)


class ReplenishmentAlert(models.Model):
    """An FBT SKU that needs stock sent: from TikTok (webhook type 27) or from the shop's own
    threshold (FBT stock below the SKU's reorder point). One open alert per SKU, warehouse and
    alert type: a repeated notification updates it."""

    class Source(models.TextChoices):
        TIKTOK = "tiktok", "TikTok"
        THRESHOLD = "threshold", "Reorder point"

    class AlertType(models.TextChoices):
        LOW_STOCK = "LOW_STOCK", "Low stock"
        OUT_OF_STOCK = "OUT_OF_STOCK", "Out of stock"
        PREDICTED = "PREDICTION", "Stock-out predicted"
        REORDER_POINT = "REORDER_POINT", "Below reorder point"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    source = models.CharField(max_length=10, choices=Source.choices)
    alert_type = models.CharField(max_length=14, choices=AlertType.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    sku = models.ForeignKey("inventory.SKU", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            help_text="Empty while TikTok's SKU id is not matched to a SKU.")
    location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text="The FBT warehouse, when known.")
    account = models.ForeignKey("sellerhub.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # The dedupe key: one open alert per (sku_key, warehouse_key, alert_type).
    sku_key = models.CharField(max_length=100, help_text="The seller SKU, or TikTok's SKU id when unmatched.")
    warehouse_key = models.CharField(max_length=64, blank=True, help_text="The FBT warehouse id, or empty.")
    external_sku_id = models.CharField(max_length=64, blank=True)
    external_product_id = models.CharField(max_length=64, blank=True)
    inventory_status = models.CharField(max_length=20, blank=True, help_text="TikTok's current_inventory_status.")
    lead_days = models.PositiveIntegerField(null=True, blank=True, help_text="Predicted days until out of stock.")
    threshold = models.IntegerField(null=True, blank=True, help_text="The threshold that was met.")
    quantity = models.IntegerField(null=True, blank=True, help_text="Available stock when last reported.")
    details = models.JSONField(default=dict, blank=True)
    notification_id = models.CharField(max_length=64, blank=True, help_text="The notification that opened it.")
    times_reported = models.PositiveIntegerField(default=1)
    first_reported_at = models.DateTimeField()
    last_reported_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-last_reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sku_key", "warehouse_key", "alert_type"], condition=Q(status="open"),
                                    name="replenishment_one_open"),
        ]

    def __str__(self):
        return f"{self.get_alert_type_display()}: {self.sku_key} ({self.status})"


# TikTok's FBT and logistics notifications (types 4, 21, 24, 27) are kept in the kernel's webhook
# inbox (sellerhub.WebhookEvent) under this source, once per shop and notification id (key); the
# topic is the notification type.
NOTIFICATION_SOURCE = "tiktok_fbt"
