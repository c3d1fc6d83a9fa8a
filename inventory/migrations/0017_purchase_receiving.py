"""Reserved slot (purchase receiving): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0016_product_images"),
    ]

    operations = []
