"""The after-sales snapshots' returned orders and response times, from JSON lists to packed 64-bit
integers (metrics/fields.py): the same numbers, read back several times faster."""

import json

from django.db import migrations

import metrics.fields

DETAILS = ("returned_orders", "response_times")


def _as_list(value):
    return json.loads(value) if isinstance(value, str) else value


def _copy(apps, *, source, target):
    """Copy each row's details from the fields named ``source(name)`` to ``target(name)``."""
    snapshot = apps.get_model("metrics", "AfterSalesSnapshot")
    rows = snapshot.objects.exclude(**{f"{source(name)}__isnull": True for name in DETAILS})
    changed = []
    for row in rows.iterator(chunk_size=2000):
        for name in DETAILS:
            value = _as_list(getattr(row, source(name)))
            setattr(row, target(name), None if value is None else [int(v) for v in value])
        changed.append(row)
    snapshot.objects.bulk_update(changed, [target(name) for name in DETAILS], batch_size=2000)


def pack_details(apps, schema_editor):
    _copy(apps, source=lambda name: name, target=lambda name: f"{name}_packed")


def unpack_details(apps, schema_editor):
    _copy(apps, source=lambda name: f"{name}_packed", target=lambda name: name)


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0006_after_sales_day_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="aftersalessnapshot",
            name="returned_orders_packed",
            field=metrics.fields.PackedIntegersField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="aftersalessnapshot",
            name="response_times_packed",
            field=metrics.fields.PackedIntegersField(blank=True, null=True),
        ),
        migrations.RunPython(pack_details, unpack_details, elidable=False),
        migrations.RemoveField(model_name="aftersalessnapshot", name="returned_orders"),
        migrations.RemoveField(model_name="aftersalessnapshot", name="response_times"),
        migrations.RenameField(model_name="aftersalessnapshot", old_name="returned_orders_packed",
                               new_name="returned_orders"),
        migrations.RenameField(model_name="aftersalessnapshot", old_name="response_times_packed",
                               new_name="response_times"),
        migrations.AlterField(
            model_name="aftersalessnapshot",
            name="returned_orders",
            field=metrics.fields.PackedIntegersField(
                blank=True, null=True,
                help_text="Ids of the orders with a return against the seller requested that day (null: not stored "
                          "yet)."),
        ),
        migrations.AlterField(
            model_name="aftersalessnapshot",
            name="response_times",
            field=metrics.fields.PackedIntegersField(
                blank=True, null=True,
                help_text="Response time of each request decided that day, in microseconds (null: not stored yet)."),
        ),
    ]
