"""Reserved slot (replenishment): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0014_channel_stock_rules"),
    ]

    operations = []
