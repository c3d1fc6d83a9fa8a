from django.apps import AppConfig

from inventory.fbt import hooks as fbt_hooks
from orders import hooks as order_hooks


class FulfilmentConfig(AppConfig):
    name = "fulfilment"
    verbose_name = "Fulfilment"

    def ready(self):
        """Register fulfilment's hooks with the lower layers (one registration per line)."""
        from fulfilment import webhooks  # noqa: PLC0415 -- models load only after apps are ready
        from fulfilment.services import channel_packages  # noqa: PLC0415 -- models load only after apps are ready
        from fulfilment.tiktok import collection  # noqa: PLC0415 -- models load only after apps are ready

        order_hooks.register_channel_packages_recorder(channel_packages.record_channel_packages)
        webhooks.register_handlers()  # the label provider's events in the kernel's webhook inbox
        fbt_hooks.register_package_update_handler(collection.handle_package_update)  # TikTok PACKAGE_UPDATE (4)
