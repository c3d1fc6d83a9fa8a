"""Job records that never lie (placeholder filled by the jobs work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sellerhub", "0006_webhook_inbox"),
    ]

    operations = []
