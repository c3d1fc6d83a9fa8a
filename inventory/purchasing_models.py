"""Suppliers and purchase orders: who the seller buys from, at what cost and lead time, and
what has been ordered and received. Receiving against an order moves stock through the ledger
(inventory.services); these rows only say what was ordered and how much of it has arrived."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

__all__ = ["PurchaseOrder", "PurchaseOrderLine", "PurchaseOrderSend", "PurchaseOrderStatus", "Supplier", "SupplierSKU"]


class Supplier(models.Model):
    name = models.CharField(max_length=200, unique=True)
    contact_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True, help_text="Purchase orders are emailed here.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    lead_time_days = models.PositiveIntegerField(default=14, help_text="Days from sending an order to receiving it.")
    minimum_order_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"),
                                              validators=[MinValueValidator(Decimal("0"))],
                                              help_text="The smallest order the supplier accepts, in its currency.")
    currency = models.CharField(max_length=3, default="USD")
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SupplierSKU(models.Model):
    """What one supplier calls a SKU, what it costs from them and in what multiples they sell it."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="skus")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.CASCADE, related_name="supplier_skus")
    supplier_code = models.CharField(max_length=64, blank=True, help_text="The supplier's own code for it.")
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))])
    pack_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)],
                                            help_text="Ordered in multiples of this many units.")
    minimum_quantity = models.PositiveIntegerField(default=0)
    preferred = models.BooleanField(default=False, help_text="Reorder suggestions go to the preferred supplier.")

    class Meta:
        ordering = ["supplier__name", "sku__seller_sku"]
        verbose_name = "supplier SKU"
        constraints = [
            models.UniqueConstraint(fields=["supplier", "sku"], name="supplier_sku_unique"),
            models.UniqueConstraint(fields=["sku"], condition=Q(preferred=True), name="supplier_sku_one_preferred"),
        ]

    def __str__(self):
        return f"{self.supplier} / {self.sku}"


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    PARTLY_RECEIVED = "partly_received", "Partly received"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class PurchaseOrder(models.Model):
    number = models.CharField(max_length=32, unique=True, help_text="PO number, e.g. PO-00012.")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT,
                              db_index=True)
    currency = models.CharField(max_length=3, default="USD")
    deliver_to = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="purchase_orders",
                                   help_text="The warehouse the goods are delivered to.")
    expected_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "purchase order"

    def __str__(self):
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.PROTECT, related_name="purchase_order_lines")
    quantity_ordered = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"),
                                    validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["purchase_order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "sku"], name="po_line_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity_ordered__gte=1), name="po_line_ordered_positive"),
        ]

    def __str__(self):
        return f"{self.purchase_order} {self.sku} x{self.quantity_ordered}"

    @property
    def outstanding(self):
        return max(0, self.quantity_ordered - self.quantity_received)


class PurchaseOrderSend(models.Model):
    """One sending of a purchase order to its supplier: the PDF emailed, to whom, when and by whom."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="sends")
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    to_email = models.EmailField()
    filename = models.CharField(max_length=100)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "purchase order sending"

    def __str__(self):
        return f"{self.purchase_order} to {self.to_email}"


# Ordered-minus-received, for set-based sums of stock on order.
OUTSTANDING = F("quantity_ordered") - F("quantity_received")
