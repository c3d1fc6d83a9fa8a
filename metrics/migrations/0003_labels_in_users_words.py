"""A slot for this capability's schema changes (empty until it needs one)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("metrics", "0002_after_sales_figures")]

    operations = []
