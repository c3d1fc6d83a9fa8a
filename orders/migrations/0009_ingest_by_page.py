"""Reserved slot (ingest by page): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_labels_in_users_words"),
    ]

    operations = []
