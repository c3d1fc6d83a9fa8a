"""The packages no carrier has scanned yet get a partial index on their upload time: the metrics
page's "tracking uploaded, no carrier scan" count (and its drill-down) starts from those few
packages instead of probing the packages of every open order."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0012_label_speed"),
        ("orders", "0012_metrics_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="package",
            index=models.Index(condition=models.Q(("first_scan_at__isnull", True)), fields=["tracking_uploaded_at"],
                               name="package_unscanned_uploaded"),
        ),
    ]
