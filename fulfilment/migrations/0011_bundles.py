"""Reserved slot (bundles): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0010_labels_in_users_words"),
    ]

    operations = []
