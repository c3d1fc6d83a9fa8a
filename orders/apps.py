from django.apps import AppConfig

from inventory.fbt import hooks as fbt_hooks


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        """Register orders' hooks with the lower layers (one registration per line)."""
        from orders import selectors  # noqa: PLC0415 -- models load only after apps are ready

        fbt_hooks.register_fbt_sales(selectors.fbt_units_sold)  # FBT velocity for inbound suggestions
