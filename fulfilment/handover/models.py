"""Proof of handover models (app label "fulfilment"; imported by fulfilment/models.py): one
``HandoverRecord`` per end-of-day form (a USPS SCAN form made by the label provider, or a
handover manifest), the packages it lists (``HandoverPackage``: a package is on one form at
most) and the carrier ``HandoverPickup`` booked for it. Declarative only: writes go through
fulfilment/handover/services.py."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def form_path(instance, filename):
    return f"handover/{timezone.now():%Y/%m}/{secrets.token_hex(10)}.pdf"


class HandoverRecord(models.Model):
    """The day's proof of handover of one carrier at one origin: its form (PDF, with a barcode),
    the tracking numbers it lists and the provider's id."""

    class Kind(models.TextChoices):
        SCAN_FORM = "scan_form", "USPS SCAN form"
        MANIFEST = "manifest", "Handover manifest"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    carrier = models.CharField(max_length=32, help_text="Carrier code (see integrations.carriers).")
    origin = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text="The warehouse the packages left from.")
    day = models.DateField(db_index=True, help_text="The shipping day (the labels' date).")
    reference = models.CharField(max_length=64, unique=True, help_text="Printed as the form's barcode.")
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="EasyPost's sf_... id.")
    provider_status = models.CharField(max_length=20, blank=True)
    batch_id = models.CharField(max_length=64, blank=True, help_text="The provider's batch of the scan form.")
    tracking_numbers = models.JSONField(default=list, blank=True)
    form_file = models.FileField(upload_to=form_path, blank=True, max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["day", "carrier"], name="handover_day_carrier")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"


class HandoverPackage(models.Model):
    """A package listed on a handover form (once: a package is handed over one time)."""

    record = models.ForeignKey(HandoverRecord, on_delete=models.CASCADE, related_name="entries")
    package = models.OneToOneField("fulfilment.Package", on_delete=models.CASCADE, related_name="handover")

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"package {self.package_id} on {self.record_id}"


class HandoverPickup(models.Model):
    """A carrier pickup booked for a handover form: the window, the provider's confirmation."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    record = models.ForeignKey(HandoverRecord, on_delete=models.CASCADE, related_name="pickups")
    provider_id = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    instructions = models.CharField(max_length=300, blank=True)
    carrier = models.CharField(max_length=32, blank=True, help_text="As the provider names it.")
    service = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    confirmation = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"pickup {self.confirmation or self.provider_id}"
