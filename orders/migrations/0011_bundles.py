"""Reserved slot (bundles): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_search_indexes"),
    ]

    operations = []
