"""TrackingPush, the outbox row of a shipped package's tracking upload, now belongs to fulfilment
(it lived in the kernel app). Fulfilment writes it when a package ships; the channel sync pushes
it and records the result.

State only: the table keeps its name ``sellerhub_trackingpush``, so nothing is rebuilt and every
row stays. The content type is relabelled so permissions granted on it stay granted.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="fulfilment", model="trackingpush").delete()
    ContentType.objects.filter(app_label="sellerhub", model="trackingpush").update(app_label="fulfilment")


def unlabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="fulfilment", model="trackingpush").update(app_label="sellerhub")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("fulfilment", "0004_package_carrier_help_text"),
        ("sellerhub", "0004_channel_sync"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TrackingPush",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("tracking_number", models.CharField(help_text="The number to push (or pushed).", max_length=64)),
                        ("status", models.CharField(choices=[("pending", "Waiting to push"), ("pushed", "Pushed"), ("failed", "Failed")], db_index=True, default="pending", max_length=10)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("retryable", models.BooleanField(default=False, help_text="The last failure may pass on a retry.")),
                        ("channel_reference", models.CharField(blank=True, help_text="The channel's id of the shipment.", max_length=100)),
                        ("queued_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("pushed_at", models.DateTimeField(blank=True, null=True)),
                        ("package", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="tracking_push", to="fulfilment.package")),
                    ],
                    options={"db_table": "sellerhub_trackingpush"},
                ),
            ],
        ),
        migrations.RunPython(relabel, unlabel),
    ]
