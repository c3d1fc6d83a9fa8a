from django.db import migrations


def create_main(apps, schema_editor):
    Location = apps.get_model("inventory", "Location")
    Location.objects.get_or_create(code="MAIN", defaults={"name": "Main warehouse", "kind": "warehouse", "sellable": True})
    Location.objects.get_or_create(code="TRANSIT", defaults={"name": "In transit", "kind": "transit", "sellable": False})


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(create_main, migrations.RunPython.noop)]
