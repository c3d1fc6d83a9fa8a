from django.apps import AppConfig

from inventory import hooks as inventory_hooks
from inventory.fbt import hooks as fbt_hooks


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        """Register orders' hooks with the lower layers (one registration per line)."""
        from orders import selectors  # noqa: PLC0415 -- models load only after apps are ready
        from orders.services.count_shortfalls import (  # noqa: PLC0415 -- models load only after apps are ready
            on_reservations_released_after_count,
        )

        fbt_hooks.register_fbt_sales(selectors.fbt_units_sold)  # FBT velocity for inbound suggestions
        inventory_hooks.register_reservations_released_after_count(on_reservations_released_after_count)  # count short
