"""Reserved slot (channel stock rules and listings): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0013_bundles"),
    ]

    operations = []
