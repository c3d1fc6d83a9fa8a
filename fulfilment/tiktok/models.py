"""TikTok Shipping models (app label "fulfilment"; imported by fulfilment/models.py): a package
shipped with TikTok's label (its TikTok package, its shipping document, its handover) and the
collection requests grouping the day's packages per pickup slot and carrier. Declarative only:
writes go through fulfilment/tiktok_shipping.py and fulfilment/collection.py."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def document_path(instance, filename):
    return f"tiktok-documents/{timezone.now():%Y/%m}/{secrets.token_hex(10)}.pdf"


class Handover(models.TextChoices):
    PICKUP = "PICKUP", "Pickup by the carrier"
    DROP_OFF = "DROP_OFF", "Drop-off at the carrier"


class CollectionRequest(models.Model):
    """The packages one carrier collects in one pickup slot (or the day's drop-off), as TikTok
    was asked to ship them. Its manifest is the proof of handover."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        PARTLY_COLLECTED = "partly_collected", "Partly collected"
        COLLECTED = "collected", "Collected"
        FAILED = "failed", "Needs attention"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.REQUESTED, Status.SCHEDULED, Status.PARTLY_COLLECTED, Status.FAILED)

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.PROTECT, related_name="+")
    handover_method = models.CharField(max_length=8, choices=Handover.choices)
    slot_start = models.DateTimeField(null=True, blank=True, help_text="Pickup window (empty for a drop-off).")
    slot_end = models.DateTimeField(null=True, blank=True)
    handover_date = models.DateField(help_text="The local day of the pickup or drop-off.")
    carrier_name = models.CharField(max_length=100, blank=True, help_text="The carrier TikTok designated.")
    provider_id = models.CharField(max_length=64, blank=True, help_text="TikTok's shipping provider id.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-handover_date", "slot_start", "id"]
        indexes = [models.Index(fields=["account", "handover_date"], name="collection_account_day")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"CR-{self.pk:05d}" if self.pk else "CR-new"


class PlatformPackage(models.Model):
    """TikTok Shipping state of a package whose order ships with TikTok's label: the package on
    TikTok (its id is the Package's external_id), the shipping document (the URL lives 24 hours,
    the PDF is kept as the package's label), and the handover (collection) of the package."""

    class Collection(models.TextChoices):
        NONE = "", "Not requested"
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        COLLECTED = "collected", "Collected"
        FAILED = "failed", "Refused by TikTok"
        CANCELLED = "cancelled", "Cancelled"

    package = models.OneToOneField("fulfilment.Package", on_delete=models.CASCADE, related_name="platform")
    shipping_service_id = models.CharField(max_length=64, blank=True)
    shipping_service_name = models.CharField(max_length=120, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    provider_name = models.CharField(max_length=100, blank=True)
    tiktok_status = models.CharField(max_length=20, blank=True, help_text="TikTok's package status, last read.")
    # The shipping document.
    document_type = models.CharField(max_length=40, blank=True)
    document_size = models.CharField(max_length=4, blank=True)
    doc_url = models.TextField(blank=True, help_text="TikTok's document URL (valid 24 hours).")
    doc_url_expires_at = models.DateTimeField(null=True, blank=True)
    doc_urls_fetched = models.PositiveIntegerField(default=0, help_text="Document URLs asked of TikTok.")
    document = models.FileField(upload_to=document_path, blank=True, max_length=200,
                                help_text="The downloaded PDF (kept: the URL expires).")
    document_downloaded_at = models.DateTimeField(null=True, blank=True)
    # The handover.
    collection = models.ForeignKey(CollectionRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="packages")
    collection_status = models.CharField(max_length=10, choices=Collection.choices, blank=True, default="",
                                         db_index=True)
    handover_method = models.CharField(max_length=8, choices=Handover.choices, blank=True)
    pickup_start = models.DateTimeField(null=True, blank=True)
    pickup_end = models.DateTimeField(null=True, blank=True)
    collection_error = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(pickup_start__isnull=True) | Q(pickup_end__gt=F("pickup_start")),
                                   name="platformpackage_slot_order"),
        ]

    def __str__(self):
        return f"TikTok package of {self.package_id} ({self.collection_status or 'not requested'})"

    @property
    def has_document(self):
        return bool(self.document)
