"""Returned units written off get their own ledger reason ("return_write_off")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0008_counts")]

    operations = [
        migrations.AlterField(
            model_name="stockmovement",
            name="reason",
            field=models.CharField(choices=[("receipt", "Receipt"), ("sale", "Sale"), ("return", "Return"),
                                            ("adjustment", "Adjustment"), ("count", "Stock count"),
                                            ("transfer", "Transfer"), ("fbt_inbound", "FBT inbound"),
                                            ("reservation", "Reservation"), ("release", "Release"),
                                            ("return_write_off", "Returned, written off")],
                                   db_index=True, max_length=16),
        ),
    ]
