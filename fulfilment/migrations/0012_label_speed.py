"""Reserved slot (label speed): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0011_bundles"),
    ]

    operations = []
