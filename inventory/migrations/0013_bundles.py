"""Reserved slot (bundles): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0012_stock_speed"),
    ]

    operations = []
