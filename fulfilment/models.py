"""Fulfilled by Seller: packages (shipments) with their labels, box presets, pick lists, packing
verification, carrier scans, carrier-to-channel provider ids and batch print runs.

Models are declarative; every write goes through fulfilment/services.py.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def _file_path(kind, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{kind}/{timezone.now():%Y/%m}/{secrets.token_hex(10)}.{ext}"


def label_path(instance, filename):
    return _file_path("labels", filename)


def batch_path(instance, filename):
    return _file_path("batches", filename)


class BoxPreset(models.Model):
    """A box (or mailer) the packing station offers, with its outer dimensions and empty weight."""

    name = models.CharField(max_length=80, unique=True)
    length_mm = models.PositiveIntegerField()
    width_mm = models.PositiveIntegerField()
    height_mm = models.PositiveIntegerField()
    tare_grams = models.PositiveIntegerField(default=0, help_text="Weight of the empty box with its filler.")
    barcode = models.CharField(max_length=40, blank=True, help_text="Optional: scan it at the packing station.")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the packing station's list.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def dimensions_text(self):
        return f"{self.length_mm} × {self.width_mm} × {self.height_mm} mm"


class Package(models.Model):
    """One shipment of (part of) an order, with its carrier, label and tracking number."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Packed, no label"
        LABELLED = "labelled", "Label ready"
        SHIPPED = "shipped", "Shipped"
        IN_TRANSIT = "in_transit", "In transit"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class LabelSource(models.TextChoices):
        NONE = "", "No label yet"
        PROVIDER = "provider", "Bought through the label provider"
        UPLOADED = "uploaded", "Bought elsewhere (PDF uploaded)"
        TYPED = "typed", "Bought elsewhere (tracking number typed)"
        OWN = "own", "SellerHub's own label"
        PLATFORM = "platform", "TikTok's label (TikTok Shipping)"

    class LabelFormat(models.TextChoices):
        NONE = "", "None"
        PDF = "pdf", "PDF (4×6)"
        ZPL = "zpl", "ZPL (Zebra)"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="packages")
    external_id = models.CharField(max_length=64, blank=True, help_text="The channel's package id.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    carrier = models.CharField(max_length=32, blank=True, help_text="Carrier code (see integrations.carriers).")
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
    box = models.ForeignKey(BoxPreset, null=True, blank=True, on_delete=models.SET_NULL, related_name="packages")
    # The label.
    label_source = models.CharField(max_length=10, choices=LabelSource.choices, blank=True, default="")
    label_format = models.CharField(max_length=3, choices=LabelFormat.choices, blank=True, default="")
    label_file = models.FileField(upload_to=label_path, blank=True, max_length=200)
    label_created_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True, help_text="Printed as the barcode of SellerHub's own "
                                                                      "label when there is no tracking number.")
    # Bought through a label provider (EasyPost).
    provider = models.CharField(max_length=20, blank=True)
    provider_shipment_id = models.CharField(max_length=64, blank=True, db_index=True)
    provider_shipment_format = models.CharField(max_length=3, blank=True, help_text="The label format the "
                                                                                    "provider shipment was made for.")
    provider_rate_id = models.CharField(max_length=64, blank=True)
    provider_tracker_id = models.CharField(max_length=64, blank=True, db_index=True)
    rates = models.JSONField(default=list, blank=True, help_text="The provider's quoted rates.")
    rates_quoted_at = models.DateTimeField(null=True, blank=True)
    rate_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    rate_currency = models.CharField(max_length=3, blank=True)
    delivery_days = models.PositiveSmallIntegerField(null=True, blank=True)
    buying_since = models.DateTimeField(null=True, blank=True, help_text="A label purchase in progress.")
    refund_status = models.CharField(max_length=20, blank=True)
    # Carrier tracking.
    tracker_status = models.CharField(max_length=32, blank=True)
    tracker_updated_at = models.DateTimeField(null=True, blank=True)
    public_tracking_url = models.URLField(blank=True, max_length=300)
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["tracking_uploaded_at", "order"], name="package_uploaded_order"),
            # The packages no carrier has scanned yet and still on their way (a few among the shop's
            # history): the metrics page's "tracking uploaded, no scan" count starts here, not from
            # every open order. Delivered or cancelled ones stay out: the count leaves them out too.
            models.Index(fields=["tracking_uploaded_at"], name="package_unscanned_open",
                         condition=models.Q(first_scan_at__isnull=True)
                         & ~models.Q(status__in=["cancelled", "delivered"])),
        ]

    def __str__(self):
        return self.tracking_number or f"package {self.pk}"

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def is_shipped(self):
        return self.status in (self.Status.SHIPPED, self.Status.IN_TRANSIT, self.Status.DELIVERED)

    @property
    def has_label(self):
        return bool(self.label_source)


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="package_lines")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


class CarrierMapping(models.Model):
    """Which of the channel's shipping providers a carrier is, per account (TikTok's
    ``shipping_provider_id``): sent with the tracking number when a package ships."""

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE, related_name="carrier_mappings")
    carrier = models.CharField(max_length=100, help_text="A carrier code (ups, usps...) or a local courier's name.")
    provider_id = models.CharField(max_length=64, help_text="The channel's id of this carrier.")
    provider_name = models.CharField(max_length=100, blank=True, help_text="The channel's name of this carrier.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_id", "carrier"]
        constraints = [models.UniqueConstraint(fields=["account", "carrier"], name="carriermapping_unique")]

    def __str__(self):
        return f"{self.account_id}:{self.carrier} -> {self.provider_id}"


class PickList(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Picking"
        DONE = "done", "Picked"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    warehouse = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"PL-{self.pk:05d}" if self.pk else "PL-new"


class PickListOrder(models.Model):
    """An order on a pick list, with the tote it is picked into. An order is on one live pick
    list at most (``active``: false once the list is cancelled or the order taken off it)."""

    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="entries")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="pick_list_entries")
    position = models.PositiveIntegerField(default=0)
    tote = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pick_list", "order"], name="picklistorder_unique"),
            models.UniqueConstraint(fields=["order"], condition=Q(active=True), name="picklistorder_one_live"),
            models.UniqueConstraint(fields=["tote"], condition=Q(active=True) & ~Q(tote=""),
                                    name="picklistorder_tote_unique"),
        ]

    def __str__(self):
        return f"{self.pick_list_id}:{self.order_id}"


class PickListLine(models.Model):
    """What to pick, as planned when the list was made: so many of a SKU, for an order line,
    from the bin its stock is reserved in."""

    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.sku_id} @ {self.location_id}"


class PackingSession(models.Model):
    """Packing one order at the station: each scanned item is checked against the lines still
    to pack. One open session per order."""

    class Status(models.TextChoices):
        OPEN = "open", "Packing"
        PACKED = "packed", "Packed"
        ABANDONED = "abandoned", "Started over"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="packing_sessions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order"], condition=Q(status="open"),
                                               name="packingsession_one_open")]

    def __str__(self):
        return f"packing order {self.order_id} ({self.status})"


class PackScan(models.Model):
    """One scan at the packing station (or a manual override), accepted or refused."""

    class Outcome(models.TextChoices):
        OK = "ok", "Verified"
        WRONG_ITEM = "wrong_item", "Wrong item"
        TOO_MANY = "too_many", "One too many"
        UNKNOWN = "unknown", "Unknown barcode"
        OVERRIDE = "override", "Verified by hand"

    session = models.ForeignKey(PackingSession, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(max_length=100, blank=True)
    sku = models.ForeignKey("inventory.SKU", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order_line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    message = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.code} {self.outcome}"


class TrackingEvent(models.Model):
    """One carrier scan of a package (from the label provider's tracker)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=32)
    status_detail = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=20, default="easypost")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "occurred_at", "status", "message"],
                                               name="trackingevent_unique")]

    def __str__(self):
        return f"{self.package_id} {self.status} at {self.occurred_at}"


class PrintBatch(models.Model):
    """Labels of many packages in one file to print, made by a job on the documents queue.
    Printing it again uses the same packages and labels: nothing is bought twice."""

    MAX_PACKAGES = 500

    class Format(models.TextChoices):
        PDF = "pdf", "One 4×6 PDF"
        ZPL = "zpl", "One ZPL stream (Zebra)"

    class LabelPolicy(models.TextChoices):
        EXISTING = "existing", "Leave them out"
        BUY_CHEAPEST = "buy_cheapest", "Buy the cheapest rate"
        BUY_FASTEST = "buy_fastest", "Buy the fastest rate"
        OWN = "own", "SellerHub's own label"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Printing"
        DONE = "done", "Ready"
        PARTIAL = "partial", "Ready, some left out"
        FAILED = "failed", "Failed"

    fmt = models.CharField("format", max_length=3, choices=Format.choices, default=Format.PDF)
    with_slips = models.BooleanField(default=False, help_text="A packing slip after each label.")
    label_policy = models.CharField(max_length=14, choices=LabelPolicy.choices, default=LabelPolicy.EXISTING)
    own_carrier = models.CharField(max_length=100, blank=True, help_text="For own labels: the courier's name.")
    orders = models.ManyToManyField("orders.Order", blank=True, related_name="+")
    requested_packages = models.ManyToManyField(Package, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.CharField(max_length=500, blank=True)
    problems = models.JSONField(default=list, blank=True)
    run = models.ForeignKey("sellerhub.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=batch_path, blank=True, max_length=200)
    package_count = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    print_count = models.PositiveIntegerField(default=0, help_text="How many times the file was made.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "print batches"

    def __str__(self):
        return f"batch {self.pk} ({self.status})"


class PrintBatchItem(models.Model):
    """A package of a batch, in print order."""

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="items")
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "package"], name="printbatchitem_unique")]

    def __str__(self):
        return f"{self.batch_id}:{self.package_id}"


# TikTok Shipping: platform labels and collection requests (fulfilment/tiktok_models.py).
from fulfilment.tiktok.models import CollectionRequest, PlatformPackage  # noqa: E402,F401


class TrackingPush(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to push"
        PUSHED = "pushed", "Pushed"
        FAILED = "failed", "Failed"

    package = models.OneToOneField(Package, on_delete=models.CASCADE, related_name="tracking_push")
    tracking_number = models.CharField(max_length=64, help_text="The number to push (or pushed).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retryable = models.BooleanField(default=False, help_text="The last failure may pass on a retry.")
    channel_reference = models.CharField(max_length=100, blank=True, help_text="The channel's id of the shipment.")
    queued_at = models.DateTimeField(default=timezone.now)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sellerhub_trackingpush"
        verbose_name = "tracking upload"
        verbose_name_plural = "tracking uploads"

    def __str__(self):
        return f"tracking {self.tracking_number} of package {self.package_id} ({self.status})"
from fulfilment.handover.models import HandoverPackage, HandoverPickup, HandoverRecord  # noqa: E402, F401 -- the handover sub-package's models
from fulfilment.printers.models import PackingStation, Printer, PrintJob  # noqa: E402, F401 -- the printers sub-package's models
from fulfilment.shipping_rules.models import OrderShippingDecision, ShippingRule  # noqa: E402, F401 -- the shipping rules sub-package's models
