"""Catalogue, locations and stock. Stock changes only through the inventory.services package."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from inventory.validators import validate_gtin


class Product(models.Model):
    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    # The product's picture (its SKUs without one of their own show it); written by inventory.services.images.
    image = models.ImageField(upload_to="products/", blank=True, max_length=200)
    image_thumb = models.ImageField(upload_to="products/", blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SKU(models.Model):
    """A sellable variant, known everywhere by its seller SKU."""

    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="skus")
    seller_sku = models.CharField("seller SKU", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    attributes = models.JSONField(default=dict, blank=True, help_text='Variant attributes, e.g. {"size": "M"}.')
    barcode = models.CharField(max_length=14, blank=True, db_index=True, validators=[validate_gtin],
                               help_text="GTIN-8/12/13/14 (UPC, EAN), checked by its check digit.")
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    reorder_point = models.PositiveIntegerField(default=0)
    safety_stock_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days of demand kept in hand on top of the supplier's lead time (reorder suggestions).")
    # The variant's own picture and thumbnail under MEDIA_ROOT/products/ (inventory.services.images).
    image = models.ImageField(upload_to="products/", blank=True, max_length=200)
    image_thumb = models.ImageField(upload_to="products/", blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["seller_sku"]
        verbose_name = "SKU"
        constraints = [
            # A scanned barcode must identify one SKU.
            models.UniqueConstraint(fields=["barcode"], condition=~Q(barcode=""), name="sku_unique_barcode"),
        ]

    def __str__(self):
        return self.seller_sku


class Location(models.Model):
    """Where stock is: an own warehouse, a bin in it, a TikTok FBT warehouse, or in transit."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", "Own warehouse"
        BIN = "bin", "Bin"
        FBT = "fbt", "TikTok FBT warehouse"
        TRANSIT = "transit", "In transit"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.WAREHOUSE)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               help_text="The warehouse a bin belongs to.")
    sellable = models.BooleanField(default=True, help_text="Stock here may be sold and reserved.")
    # Walking order of bins for pick lists.
    pick_sequence = models.PositiveIntegerField(default=0)
    # TikTok's warehouse id for FBT locations.
    external_id = models.CharField(max_length=64, blank=True)
    # Address (own warehouses: the ship-from on labels).
    contact_name = models.CharField(max_length=120, blank=True)
    company = models.CharField(max_length=120, blank=True)
    street1 = models.CharField(max_length=200, blank=True)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pick_sequence", "code"]

    def __str__(self):
        return f"{self.code} ({self.name})"


class StockLevel(models.Model):
    """On hand and reserved of one SKU at one location. Written only by inventory.services."""

    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    last_counted_at = models.DateTimeField(null=True, blank=True, help_text="When the shelf was last counted.")

    class Meta:
        ordering = ["sku_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="stocklevel_unique_sku_location"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")),
                                   name="stocklevel_reserved_within_on_hand"),
        ]

    def __str__(self):
        return f"{self.sku_id}@{self.location_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self):
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """The append-only ledger: every change of on hand or reserved, with its reason."""

    class Reason(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        SALE = "sale", "Sale"
        RETURN = "return", "Return"
        ADJUSTMENT = "adjustment", "Adjustment"
        COUNT = "count", "Stock count"
        TRANSFER = "transfer", "Transfer"
        FBT_INBOUND = "fbt_inbound", "FBT inbound"
        RESERVATION = "reservation", "Reservation"
        RELEASE = "release", "Release"
        RETURN_WRITE_OFF = "return_write_off", "Returned, written off"

    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
    on_hand_change = models.IntegerField(default=0)
    reserved_change = models.IntegerField(default=0)
    reason = models.CharField(max_length=16, choices=Reason.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reference = models.CharField(max_length=100, blank=True, db_index=True, help_text="Order or document reference.")
    note = models.CharField(max_length=500, blank=True)
    # The row this one undoes (an undone receiving scan). Unique: a row is undone at most once.
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", help_text="The ledger row this row undoes.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sku", "-created_at"], name="movement_sku_time")]

    def __str__(self):
        return f"{self.reason} {self.sku_id}@{self.location_id} {self.on_hand_change:+}/{self.reserved_change:+}"


class Reservation(models.Model):
    """Stock held for one line of an order (by reference), at one location, until released or consumed."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        CONSUMED = "consumed", "Consumed"

    reference = models.CharField(max_length=100, db_index=True, help_text='e.g. "order:42"')
    line_key = models.CharField(max_length=100, help_text="The order line this is for.")
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["reference", "state"], name="reservation_ref_state")]

    def __str__(self):
        return f"{self.reference}/{self.line_key}: {self.quantity} x {self.sku_id}@{self.location_id} ({self.state})"


class ChannelListing(models.Model):
    """A SKU as one channel account knows it."""

    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.SET_NULL, related_name="listings",
                            help_text="Empty while the listing is not matched to a SKU.")
    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.CASCADE, related_name="listings")
    channel_sku = models.CharField(max_length=100, blank=True, help_text="The seller SKU as the channel has it.")
    # TikTok product and SKU id; WooCommerce product or variation id; Etsy listing and product id;
    # Square item and variation id.
    external_product_id = models.CharField(max_length=64, blank=True)
    external_variant_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200, blank=True)
    image_url = models.URLField(max_length=500, blank=True, help_text="The listing's main picture on the channel.")
    is_fbt = models.BooleanField(default=False, help_text="A TikTok listing fulfilled by TikTok (FBT stock).")
    last_pushed_quantity = models.IntegerField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # The channel's own price and quantity, as last read (import, pull or an edit); `title` above too.
    channel_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    channel_currency = models.CharField(max_length=3, blank=True)
    channel_quantity = models.IntegerField(null=True, blank=True)
    channel_read_at = models.DateTimeField(null=True, blank=True)
    # Stock rule overrides (inventory.stock_rules): empty follows the account.
    stock_buffer_units = models.PositiveIntegerField(null=True, blank=True)
    stock_buffer_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    stock_share_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    stock_max_shown = models.PositiveIntegerField(null=True, blank=True)
    stock_zero_at_or_below = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["account_id", "channel_sku"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_product_id", "external_variant_id"],
                                    name="listing_unique_external_ids"),
        ]

    def __str__(self):
        return f"{self.account_id}:{self.channel_sku or self.external_variant_id}"


class StockOutbox(models.Model):
    """Stock to push to the channels, written in the same transaction as the stock change (so
    nothing is lost if Redis is down). Two kinds of row:

    - a change: ``sku`` set, ``listing`` empty: "this SKU's stock moved" (one per SKU a stock
      transaction touched). The push job turns the waiting changes into listing rows
      (``inventory.services.outbox.expand_changes``) and marks them done;
    - a listing row: ``listing`` set: push this listing's quantity, computed when the push runs.
      ``quantity`` is set on rows that ask for a push whatever was pushed before (connecting,
      mapping); rows from changes leave it empty, and a listing whose quantity equals the one last
      pushed is closed without a call."""

    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            help_text="The SKU whose stock changed (a change waiting to become listing rows).")
    listing = models.ForeignKey(ChannelListing, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="outbox")
    quantity = models.IntegerField(null=True, blank=True,
                                   help_text="Available to sell when a push was asked for (empty: computed at push).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    pushed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "stock update to push"
        verbose_name_plural = "stock updates to push"
        indexes = [
            models.Index(fields=["listing", "-id"], name="outbox_listing_latest"),
            # The push job's read of the changes still to expand.
            models.Index(fields=["id"], condition=Q(listing__isnull=True, pushed_at__isnull=True),
                         name="outbox_changes_waiting"),
        ]

    def __str__(self):
        if self.listing_id is None:
            return f"stock of SKU {self.sku_id} changed"
        return f"push listing {self.listing_id}"


class ImportFile(models.Model):
    """An uploaded CSV of SKUs or of stock counts, validated whole and applied whole by a job."""

    class Kind(models.TextChoices):
        SKUS = "skus", "SKUs"
        COUNTS = "counts", "Stock counts"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        VALIDATING = "validating", "Validating"
        PREVIEW = "preview", "Waiting for your confirmation"  # changes existing SKUs or stock
        REJECTED = "rejected", "Rejected: nothing imported"
        APPLIED = "applied", "Imported"
        FAILED = "failed", "Failed: nothing imported"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    content = models.TextField(help_text="The uploaded file, as text.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text='[{"row": 3, "sku": "...", "error": "..."}]')
    summary = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey("sellerhub.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.filename} ({self.status})"


# Bundles (bundle_models), suppliers and purchase orders (purchasing_models), and Fulfilled by
# TikTok: inbound shipments, FBT stock, replenishment alerts (inventory/fbt/).
from inventory.bundle_models import *  # noqa: E402,F403 -- same app, own module
from inventory.fbt.models import (  # noqa: E402,F401
    FbtStock,
    InboundCarton,
    InboundCartonItem,
    InboundEvent,
    InboundLine,
    InboundShipment,
    ReplenishmentAlert,
)
from inventory.purchasing_models import *  # noqa: E402,F403 -- same app, own module
