"""Proof of handover: SCAN forms and pickups (placeholder filled by the handover work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0008_printers"),
    ]

    operations = []
