"""Short after count: a new needs-attention reason (a stock count took an order's reserved units)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0003_queue_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="attention_reason",
            field=models.CharField(blank=True, choices=[("", "None"), ("unmatched_sku", "Unmatched SKU"),
                                                        ("short_stock", "Short stock"), ("on_hold", "On hold"),
                                                        ("address_problem", "Address problem"),
                                                        ("short_after_count", "Short after count")],
                                   db_index=True, default="", max_length=20),
        ),
    ]
