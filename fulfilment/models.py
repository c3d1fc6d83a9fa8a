"""Packages (shipments). Pick lists, labels and trackers come with the fulfilment issues."""

from django.db import models


class Package(models.Model):
    """One shipment of (part of) an order, with its carrier and tracking number."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LABELLED = "labelled", "Label ready"
        SHIPPED = "shipped", "Shipped"
        IN_TRANSIT = "in_transit", "In transit"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="packages")
    external_id = models.CharField(max_length=64, blank=True, help_text="The channel's package id.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    carrier = models.CharField(max_length=32, blank=True, help_text="Carrier code (see fulfilment/carriers.py).")
    carrier_name = models.CharField(max_length=100, blank=True, help_text="The carrier as the channel named it.")
    service = models.CharField(max_length=100, blank=True)
    shipping_provider_id = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    # Judged when the number is stored: the carrier's format and check digit (metrics read it).
    tracking_format_valid = models.BooleanField(null=True, blank=True)
    tracking_uploaded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_scan_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["tracking_uploaded_at", "order"], name="package_uploaded_order")]

    def __str__(self):
        return self.tracking_number or f"package {self.pk}"


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="package_lines")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"
