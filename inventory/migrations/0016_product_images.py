"""Reserved slot (product images): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0015_replenishment"),
    ]

    operations = []
