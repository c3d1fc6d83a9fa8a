"""Replenishment planning: days of safety stock per SKU."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0014_channel_stock_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="sku",
            name="safety_stock_days",
            field=models.PositiveSmallIntegerField(
                default=7,
                help_text="Days of demand kept in hand on top of the supplier's lead time (reorder suggestions).",
            ),
        ),
    ]
