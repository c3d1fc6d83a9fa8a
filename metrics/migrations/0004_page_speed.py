"""Reserved slot (metrics page speed): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0003_labels_in_users_words"),
    ]

    operations = []
