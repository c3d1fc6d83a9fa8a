"""The printer registry, the packing stations and their print jobs (declarative; imported at the
end of ``fulfilment/models.py`` so they belong to the fulfilment app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Printer(models.Model):
    """A printer SellerHub can send documents to."""

    class Kind(models.TextChoices):
        BROWSER = "browser", "Browser (opens the PDF with the print dialog)"
        ZPL = "zpl", "ZPL thermal printer (raw TCP)"
        CUPS = "cups", "CUPS queue (lp, PDF)"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BROWSER)
    host = models.CharField(max_length=200, blank=True, help_text="ZPL: the printer's address (name or IP).")
    port = models.PositiveIntegerField(default=9100, help_text="ZPL: the raw TCP port (9100).")
    queue = models.CharField(max_length=100, blank=True, help_text="CUPS: the queue name given to lp -d.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def where(self) -> str:
        if self.kind == self.Kind.ZPL:
            return f"{self.host}:{self.port}"
        if self.kind == self.Kind.CUPS:
            return f"lp -d {self.queue}"
        return "this browser"


class PackingStation(models.Model):
    """A packing station: a browser (its id in a signed cookie) with its label and document printers."""

    name = models.CharField(max_length=80)
    label_printer = models.ForeignKey(Printer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document_printer = models.ForeignKey(Printer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class PrintJob(models.Model):
    """One document sent to a printer, and what came of it."""

    class Document(models.TextChoices):
        LABEL = "label", "Label"
        SLIP = "slip", "Packing slip"
        PICK_LIST = "pick_list", "Pick list"
        BATCH = "batch", "Batch file"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    printer = models.ForeignKey(Printer, on_delete=models.CASCADE, related_name="jobs")
    station = models.ForeignKey(PackingStation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.CharField(max_length=10, choices=Document.choices)
    object_id = models.PositiveIntegerField(help_text="The package, pick list or batch printed.")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    detail = models.TextField(blank=True, help_text="Why it failed, or what was sent.")
    size = models.PositiveIntegerField(default=0, help_text="Bytes sent.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["document", "object_id"], name="printjob_document")]

    def __str__(self):
        return f"{self.title} to {self.printer_id} ({self.status})"
