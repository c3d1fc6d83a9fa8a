from django.apps import AppConfig
from django.db.models.signals import post_migrate

from inventory.fbt import hooks as fbt_hooks
from orders import hooks as order_hooks


class FulfilmentConfig(AppConfig):
    name = "fulfilment"
    verbose_name = "Fulfilment"

    def ready(self):
        """Register fulfilment's hooks with the lower layers (one registration per line)."""
        from fulfilment import webhooks  # noqa: PLC0415 -- models load only after apps are ready
        from fulfilment.services import batches, channel_packages  # noqa: PLC0415 -- models load after apps are ready
        from fulfilment.shipping_rules import services as shipping_rules  # noqa: PLC0415 -- models load after ready
        from fulfilment.tiktok import collection  # noqa: PLC0415 -- models load only after apps are ready
        from sellerhub import jobs  # noqa: PLC0415 -- models load only after apps are ready

        order_hooks.register_channel_packages_recorder(channel_packages.record_channel_packages)
        webhooks.register_handlers()  # the label provider's events in the kernel's webhook inbox
        fbt_hooks.register_package_update_handler(collection.handle_package_update)  # TikTok PACKAGE_UPDATE (4)
        jobs.register_failure_handler("Print batch", batches.fail_batches_of_run)  # a dead job fails its batch
        order_hooks.register_orders_confirmed(shipping_rules.on_orders_confirmed)  # rules apply when confirmed
        post_migrate.connect(shipping_rules.ensure_builtin_rules, sender=self)  # built-in rules after migrate/flush
