"""Product images: a picture and its thumbnail per product and per SKU, and the channel
listing's picture URL (imported when a listing is mapped)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0015_replenishment"),
    ]

    operations = [
        migrations.AddField(
            model_name="channellisting",
            name="image_url",
            field=models.URLField(blank=True, help_text="The listing's main picture on the channel.", max_length=500),
        ),
        migrations.AddField(
            model_name="product",
            name="image",
            field=models.ImageField(blank=True, max_length=200, upload_to="products/"),
        ),
        migrations.AddField(
            model_name="product",
            name="image_thumb",
            field=models.ImageField(blank=True, max_length=200, upload_to="products/"),
        ),
        migrations.AddField(
            model_name="sku",
            name="image",
            field=models.ImageField(blank=True, max_length=200, upload_to="products/"),
        ),
        migrations.AddField(
            model_name="sku",
            name="image_thumb",
            field=models.ImageField(blank=True, max_length=200, upload_to="products/"),
        ),
    ]
