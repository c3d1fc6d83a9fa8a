"""Reserved slot (stock speed): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0011_purchasing"),
    ]

    operations = []
