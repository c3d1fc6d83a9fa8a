"""Listings: the channel's price and quantity as last read, and per-listing stock rule overrides."""

from django.db import migrations, models

LISTING = "channellisting"


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0013_bundles"),
    ]

    operations = [
        migrations.AddField(LISTING, "channel_currency", models.CharField(blank=True, max_length=3)),
        migrations.AddField(LISTING, "channel_price",
                            models.DecimalField(max_digits=10, decimal_places=2, blank=True, null=True)),
        migrations.AddField(LISTING, "channel_quantity", models.IntegerField(blank=True, null=True)),
        migrations.AddField(LISTING, "channel_read_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField(LISTING, "stock_buffer_percent", models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.AddField(LISTING, "stock_buffer_units", models.PositiveIntegerField(blank=True, null=True)),
        migrations.AddField(LISTING, "stock_max_shown", models.PositiveIntegerField(blank=True, null=True)),
        migrations.AddField(LISTING, "stock_share_percent", models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.AddField(LISTING, "stock_zero_at_or_below", models.PositiveIntegerField(blank=True, null=True)),
    ]
