"""Purchase receiving: the record of each sending of a purchase order to its supplier."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0016_product_images"),
    ]

    operations = [
        migrations.CreateModel(
            name="PurchaseOrderSend",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                ("to_email", models.EmailField(max_length=254)),
                ("filename", models.CharField(max_length=100)),
                ("purchase_order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sends",
                                                     to="inventory.purchaseorder")),
                ("sent_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                              related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "purchase order sending", "ordering": ["-sent_at", "-id"]},
        ),
    ]
