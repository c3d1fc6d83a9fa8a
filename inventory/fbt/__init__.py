"""Fulfilled by TikTok (FBT) inside the inventory: inbound shipments to TikTok's warehouses, the
FBT stock synchronised from TikTok, and replenishment alerts.

A part of the inventory app laid out like an app of its own (the project's app lists name it
"inventory.fbt"): ``models`` (imported by inventory/models.py, app label "inventory"),
``services`` (every write, each in one transaction; stock moves only through
inventory.services), ``selectors`` (reads), ``hooks`` (what higher apps register: FBT sales
per SKU, the PACKAGE_UPDATE handler), ``jobs``, ``webhooks`` (TikTok's FBT and logistics
notifications), ``views``/``urls`` (pages under /inventory/fbt/), ``dashboard``, ``cron``,
``labels`` (carton labels). TikTok's FBT requests and answers live in integrations.tiktok.fbt.

Stock flow of an inbound shipment (ledger reason ``fbt_inbound``, reference the shipment's
reference, e.g. IB-00012):

    own warehouse --ship--> TRANSIT --received (webhook 21 or by hand)--> FBT warehouse
                                   \\--closed: short units written off or returned
"""
