"""Wiring done once per process (from SellerHubConfig.ready): stock changes request a push to
the channels, and the channel models join the ops admin."""


def ready():
    from channels import admin  # noqa: F401,PLC0415  (registers the admin pages)
    from channels.jobs import on_outbox_written  # noqa: PLC0415
    from inventory import services as inventory_services  # noqa: PLC0415

    inventory_services.on_outbox_written(on_outbox_written)
