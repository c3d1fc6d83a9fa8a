"""Bundles and kits: the components of a bundle SKU."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0012_stock_speed"),
    ]

    operations = [
        migrations.CreateModel(
            name="BundleComponent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("units", models.PositiveIntegerField(default=1, help_text="Units of the component in one bundle.")),
                ("bundle", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="components",
                                             to="inventory.sku")),
                ("component", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="in_bundles", to="inventory.sku")),
            ],
            options={
                "verbose_name": "bundle component",
                "ordering": ["bundle_id", "pk"],
                "indexes": [models.Index(fields=["component"], name="bundle_component_part")],
                "constraints": [
                    models.UniqueConstraint(fields=("bundle", "component"), name="bundle_component_unique"),
                    models.CheckConstraint(condition=models.Q(("bundle", models.F("component")), _negated=True),
                                           name="bundle_not_inside_itself"),
                    models.CheckConstraint(condition=models.Q(("units__gte", 1)),
                                           name="bundle_component_units_positive"),
                ],
            },
        ),
    ]
