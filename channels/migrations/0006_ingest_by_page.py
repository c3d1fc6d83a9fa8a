"""Reserved slot (ingest by page): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_listing_edits"),
    ]

    operations = []
