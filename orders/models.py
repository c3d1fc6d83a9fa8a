"""Orders from every channel in one model. Status changes only through orders.services.transitions."""

from django.conf import settings
from django.db import models

from orders.cancel_reasons import CancelReasonCode


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    ON_HOLD = "on_hold", "On hold"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    PICKING = "picking", "Picking"
    PACKED = "packed", "Packed"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# Where an order is in its life (shared by services, selectors, pages and the API).
S = OrderStatus
# Not shipped yet: the warehouse (or a person) still has something to do.
PRE_SHIP_STATUSES = (S.ON_HOLD, S.AWAITING_CONFIRMATION, S.CONFIRMED, S.PICKING, S.PACKED)
# Stock is reserved for these (FBS orders).
RESERVED_STATUSES = (S.CONFIRMED, S.PICKING, S.PACKED)
# Tracking uploaded or later: such an order can no longer be cancelled, only returned.
SHIPPED_STATUSES = (S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED)
# Confirmed or further along: confirming again reserves nothing more.
CONFIRMED_OR_LATER = RESERVED_STATUSES + SHIPPED_STATUSES
# The lifecycle's order; a channel status only ever moves an order forward along it.
STATUS_RANK = {status: rank for rank, status in enumerate(
    (S.AWAITING_PAYMENT, S.ON_HOLD, S.AWAITING_CONFIRMATION, S.CONFIRMED, S.PICKING, S.PACKED, S.SHIPPED,
     S.IN_TRANSIT, S.DELIVERED, S.COMPLETED))}


class Fulfilment(models.TextChoices):
    FBS = "FBS", "Fulfilled by seller"
    FBT = "FBT", "Fulfilled by TikTok"


class LabelSource(models.TextChoices):
    SELLER = "SELLER", "Seller's own label"
    PLATFORM = "PLATFORM", "Platform label"


class CancelInitiator(models.TextChoices):
    SELLER = "SELLER", "Seller"
    BUYER = "BUYER", "Buyer"
    SYSTEM = "SYSTEM", "System"


class DeadlineSource(models.TextChoices):
    NONE = "", "Not set"
    CHANNEL = "channel", "Sent by the channel"
    CALENDAR = "calendar", "Computed from the shop calendar"


class AttentionReason(models.TextChoices):
    NONE = "", "None"
    UNMATCHED_SKU = "unmatched_sku", "Unmatched SKU"
    SHORT_STOCK = "short_stock", "Short stock"
    ON_HOLD = "on_hold", "On hold"
    ADDRESS_PROBLEM = "address_problem", "Address problem"
    SHORT_AFTER_COUNT = "short_after_count", "Short after count"


class Order(models.Model):
    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=64, help_text="The order's id on its channel.")
    status = models.CharField(max_length=24, choices=OrderStatus.choices, default=OrderStatus.AWAITING_CONFIRMATION,
                              db_index=True)
    channel_status = models.CharField(max_length=40, blank=True, help_text="The status as the channel reports it.")
    attention_reason = models.CharField(max_length=20, choices=AttentionReason.choices, blank=True, default="",
                                        db_index=True)
    attention_detail = models.CharField(max_length=500, blank=True)
    # Buyer and structured shipping address.
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.EmailField(blank=True)
    buyer_phone = models.CharField(max_length=40, blank=True)
    ship_name = models.CharField(max_length=200, blank=True)
    ship_company = models.CharField(max_length=200, blank=True)
    ship_street1 = models.CharField(max_length=200, blank=True)
    ship_street2 = models.CharField(max_length=200, blank=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_state = models.CharField(max_length=100, blank=True)
    ship_postal_code = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2, blank=True)
    ship_phone = models.CharField(max_length=40, blank=True)
    # Money.
    currency = models.CharField(max_length=3, default="USD")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # How it ships.
    fulfilment = models.CharField(max_length=3, choices=Fulfilment.choices, default=Fulfilment.FBS, db_index=True)
    label_source = models.CharField(max_length=8, choices=LabelSource.choices, default=LabelSource.SELLER)
    is_sample = models.BooleanField(default=False)
    # The timestamps the metrics read (UTC); see docs/domain/metrics.md#order-timestamps.
    created_at = models.DateTimeField(db_index=True, help_text="When the buyer placed the order.")
    paid_at = models.DateTimeField(null=True, blank=True)
    dispatch_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    tracking_uploaded_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="First carrier scan.")
    delivery_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    deadline_source = models.CharField(max_length=10, choices=DeadlineSource.choices, blank=True, default="",
                                       help_text="Where dispatch_due_at and delivery_due_at come from.")
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_initiator = models.CharField(max_length=6, choices=CancelInitiator.choices, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancel_reason_code = models.CharField(max_length=20, choices=CancelReasonCode.choices, blank=True, default="",
                                          db_index=True, help_text="Why it was cancelled, as the figures count it.")
    # Order-level tracking as the channel sends it (packages hold their own).
    tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    shipping_provider = models.CharField(max_length=100, blank=True)
    # Sync bookkeeping.
    channel_updated_at = models.DateTimeField(null=True, blank=True, help_text="The channel's own update time.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="The channel's payload as last received.")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dispatch_due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="order_unique_account_external_id"),
        ]
        indexes = [
            models.Index(fields=["status", "dispatch_due_at"], name="order_status_due"),
            models.Index(fields=["account", "created_at"], name="order_account_created"),
            models.Index(fields=["account", "dispatched_at"], name="order_account_dispatched"),
            models.Index(fields=["account", "delivery_due_at"], name="order_account_delivery_due"),
            # The warehouse's queue: orders not shipped yet, by dispatch deadline (a small slice of
            # a shop's history, so the index stays small and the queue fast at any size).
            models.Index(fields=["dispatch_due_at", "id"], name="order_to_ship_due",
                         condition=models.Q(status__in=["on_hold", "awaiting_confirmation", "confirmed", "picking",
                                                        "packed"])),
        ]

    def __str__(self):
        return f"{self.account_id}:{self.external_id}"

    @property
    def reservation_reference(self):
        return f"order:{self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(max_length=64, blank=True, help_text="The line's id on its channel.")
    channel_sku = models.CharField(max_length=100, blank=True, help_text="The seller SKU the channel sent.")
    channel_product_id = models.CharField(max_length=64, blank=True)
    channel_variant_id = models.CharField(max_length=64, blank=True)
    sku = models.ForeignKey("inventory.SKU", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="order_lines",
                            help_text="Empty when the channel SKU is unknown: the line blocks confirmation.")
    name = models.CharField(max_length=300, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    cancelled = models.BooleanField(default=False, help_text="Cancelled on its own (a partial cancellation): "
                                                             "not reserved, picked or shipped.")
    channel_components = models.JSONField(
        default=list, blank=True,
        help_text='A combined listing\'s SKUs as the channel sent them: [{"channel_sku", "product_id", '
                  '"variant_id", "count"}] (matched to a bundle SKU).')

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.channel_sku or self.sku_id}"


class OrderEvent(models.Model):
    """Every change to an order: who or what made it, from which status to which."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=60, blank=True, help_text='Who or what: a username, "sync:tiktok", "system".')
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.from_status}->{self.to_status}"


class ReturnKind(models.TextChoices):
    """What the buyer asked for (TikTok's return_type; docs/after-sales/returns.md)."""

    REFUND_ONLY = "refund_only", "Refund only"
    RETURN_AND_REFUND = "return_and_refund", "Return and refund"
    REPLACEMENT = "replacement", "Replacement"


class Return(models.Model):
    """One return: a local record, or one channel return (``account`` set) kept in step with the
    channel's own status. ``status`` is the warehouse's side (requested -> received -> inspected
    -> restocked / written off), ``channel_status`` the channel's."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        RECEIVED = "received", "Received"
        INSPECTED = "inspected", "Inspected"
        RESTOCKED = "restocked", "Restocked"
        WRITTEN_OFF = "written_off", "Written off"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    reason = models.CharField(max_length=300)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    restock_location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.PROTECT)
    external_id = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The channel's return (empty for a local return).
    account = models.ForeignKey("sellerhub.ChannelAccount", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="returns", help_text="The channel account; empty for a local return.")
    kind = models.CharField(max_length=20, choices=ReturnKind.choices, default=ReturnKind.RETURN_AND_REFUND)
    channel_status = models.CharField(max_length=40, blank=True, db_index=True,
                                      help_text="The return's status as the channel reports it.")
    reason_code = models.CharField(max_length=120, blank=True, help_text="The channel's reason code.")
    buyer_note = models.TextField(blank=True)
    buyer_images = models.JSONField(default=list, blank=True, help_text="Links to the buyer's photos.")
    requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_action = models.CharField(max_length=60, blank=True, help_text="What the channel waits for from the seller.")
    respond_by = models.DateTimeField(null=True, blank=True, db_index=True,
                                      help_text="The seller's deadline for the next action; empty when none.")
    decided_at = models.DateTimeField(null=True, blank=True)
    auto_approved = models.BooleanField(default=False, help_text="The channel approved it: the seller missed "
                                                                 "the deadline.")
    seller_fault = models.BooleanField(null=True, blank=True,
                                       help_text="True when the reason is not the buyer's fault; empty when unknown.")
    refund_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refund_shipping = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refund_tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    partial_refund = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                         help_text="A partial refund offered instead of the full one.")
    currency = models.CharField(max_length=3, default="USD")
    arbitration_status = models.CharField(max_length=20, blank=True)
    return_tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    return_carrier = models.CharField(max_length=100, blank=True)
    replacement_order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="replaces_returns",
                                          help_text="The replacement or exchange order sent for it.")
    channel_updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="The channel's return as last received.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], condition=models.Q(account__isnull=False),
                                    name="return_unique_account_external_id"),
        ]

    def __str__(self):
        return f"return {self.pk} of order {self.order_id}"


class ReturnLine(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    external_id = models.CharField(max_length=64, blank=True, help_text="The channel's return line id.")
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # Inspection: each returned unit is restocked to a bin or written off with a reason.
    restocked_quantity = models.PositiveIntegerField(default=0)
    written_off_quantity = models.PositiveIntegerField(default=0)
    write_off_reason = models.CharField(max_length=300, blank=True)
    restock_location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


# After-sales models live in their own modules of this app; importing them here registers them.
from orders.cancellation_models import *  # noqa: E402,F403 -- same app, own module
from orders.refund_models import *  # noqa: E402,F403 -- same app, own module
from orders.return_models import *  # noqa: E402,F403 -- same app, own module
