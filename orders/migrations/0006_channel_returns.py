"""A slot for this capability's schema changes (empty until it needs one)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_cancellation_requests")]

    operations = []
