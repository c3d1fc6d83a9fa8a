from django.apps import AppConfig
from django.db import DatabaseError
from django.db.models.signals import post_migrate


def ensure_default_locations(sender=None, using="default", **_kwargs):
    """MAIN (own warehouse) and TRANSIT always exist: created by migration 0002 and again after a
    flush (transactional tests), so stock can be received before anyone configures bins."""
    from inventory.models import Location  # noqa: PLC0415 -- models load only after apps are ready

    try:
        Location.objects.using(using).get_or_create(
            code="MAIN", defaults={"name": "Main warehouse", "kind": Location.Kind.WAREHOUSE, "sellable": True})
        Location.objects.using(using).get_or_create(
            code="TRANSIT", defaults={"name": "In transit", "kind": Location.Kind.TRANSIT, "sellable": False})
    except DatabaseError:  # table not there (migrated backwards to before 0001)
        return


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self):
        post_migrate.connect(ensure_default_locations, sender=self, dispatch_uid="inventory_default_locations")
        from inventory.fbt import webhooks  # noqa: PLC0415 -- models load only after apps are ready

        webhooks.register_handlers()  # TikTok's FBT notifications in the kernel's webhook inbox
