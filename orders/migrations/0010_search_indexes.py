"""Reserved slot (search indexes): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_ingest_by_page"),
    ]

    operations = []
