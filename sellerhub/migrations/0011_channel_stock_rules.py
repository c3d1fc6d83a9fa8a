"""Reserved slot (channel stock rules): filled by that work, or left empty."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sellerhub", "0010_staff_and_labels"),
    ]

    operations = []
