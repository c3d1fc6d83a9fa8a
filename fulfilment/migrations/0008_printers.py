"""Printers and packing stations (placeholder filled by the printers work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0007_shipping_rules"),
    ]

    operations = []
