"""The ledger's undo mark: an undo row references the receiving scan it reverses (a nullable
unique key, so a scan is undone at most once). Undo rows written before (note "undo scan #N")
are linked to their scan; a scan undone twice by the old code keeps its first undo linked."""

import re

import django.db.models.deletion
from django.db import migrations, models

UNDO_NOTE = re.compile(r"^undo scan #(\d+)$")


def link_earlier_undos(apps, schema_editor):
    StockMovement = apps.get_model("inventory", "StockMovement")
    linked = set()
    rows = StockMovement.objects.filter(reason="adjustment", note__startswith="undo scan #").order_by("pk")
    for pk, note in rows.values_list("pk", "note").iterator():
        match = UNDO_NOTE.match(note)
        if not match:
            continue
        scan_id = int(match.group(1))
        if scan_id in linked or not StockMovement.objects.filter(pk=scan_id, reason="receipt").exists():
            continue
        StockMovement.objects.filter(pk=pk).update(reverses_id=scan_id)
        linked.add(scan_id)


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0005_fbt"),
    ]

    operations = [
        migrations.AddField(
            model_name="stockmovement",
            name="reverses",
            field=models.OneToOneField(blank=True, help_text="The ledger row this row undoes.", null=True,
                                       on_delete=django.db.models.deletion.PROTECT, related_name="reversed_by",
                                       to="inventory.stockmovement"),
        ),
        migrations.RunPython(link_earlier_undos, migrations.RunPython.noop),
    ]
