"""Shipping rules (placeholder filled by the shipping-rules work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0006_webhook_inbox"),
    ]

    operations = []
