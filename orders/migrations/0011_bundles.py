"""Bundles: the SKUs of a channel's combined listing, kept on its order line."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="channel_components",
            field=models.JSONField(
                blank=True, default=list,
                help_text='A combined listing\'s SKUs as the channel sent them: [{"channel_sku", "product_id", '
                          '"variant_id", "count"}] (matched to a bundle SKU).'),
        ),
    ]
