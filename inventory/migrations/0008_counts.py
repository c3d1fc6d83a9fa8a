"""Counts a scanner can do (placeholder filled by the counts work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0007_webhook_inbox"),
    ]

    operations = []
