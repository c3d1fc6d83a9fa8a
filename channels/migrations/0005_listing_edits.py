"""Reserved slot (listing edits): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_labels_in_users_words"),
    ]

    operations = []
