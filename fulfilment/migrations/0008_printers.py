"""Printers and packing stations: the printer registry, the stations (browsers) with their label and
document printers, and print jobs."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0007_shipping_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Printer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, unique=True)),
                ("kind", models.CharField(choices=[("browser", "Browser (opens the PDF with the print dialog)"), ("zpl", "ZPL thermal printer (raw TCP)"), ("cups", "CUPS queue (lp, PDF)")], default="browser", max_length=10)),
                ("host", models.CharField(blank=True, help_text="ZPL: the printer's address (name or IP).", max_length=200)),
                ("port", models.PositiveIntegerField(default=9100, help_text="ZPL: the raw TCP port (9100).")),
                ("queue", models.CharField(blank=True, help_text="CUPS: the queue name given to lp -d.", max_length=100)),
                ("active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="PackingStation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("document_printer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="fulfilment.printer")),
                ("label_printer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="fulfilment.printer")),
            ],
            options={
                "ordering": ["name", "id"],
            },
        ),
        migrations.CreateModel(
            name="PrintJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("document", models.CharField(choices=[("label", "Label"), ("slip", "Packing slip"), ("pick_list", "Pick list"), ("batch", "Batch file")], max_length=10)),
                ("object_id", models.PositiveIntegerField(help_text="The package, pick list or batch printed.")),
                ("title", models.CharField(max_length=200)),
                ("status", models.CharField(choices=[("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed")], db_index=True, default="queued", max_length=10)),
                ("detail", models.TextField(blank=True, help_text="Why it failed, or what was sent.")),
                ("size", models.PositiveIntegerField(default=0, help_text="Bytes sent.")),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("printer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to="fulfilment.printer")),
                ("station", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="fulfilment.packingstation")),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["document", "object_id"], name="printjob_document")],
            },
        ),
    ]
