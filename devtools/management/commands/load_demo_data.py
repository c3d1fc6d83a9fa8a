"""``manage.py load_demo_data``: a user per role, then every area's demo data, in dependency order."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devtools.demo import (
    access,
    after_sales_history,
    bundles,
    cancellation_requests,
    channels,
    fbt,
    fulfilment,
    handover,
    images,
    inventory,
    metrics,
    orders,
    purchasing,
    refunds,
    replenishment,
    returns,
    shipping_rules,
    stock_rules,
    tiktok_shipping,
)
from sellerhub.roles import OPS, OWNER, WAREHOUSE

# username -> (password, role, full name). Printed in README.md; created only by this command.
DEMO_USERS = {
    "warehouse": ("warehouse-demo", WAREHOUSE, "Wren Warehouse"),
    "owner": ("owner-demo", OWNER, "Olive Owner"),
    "ops": ("ops-demo", OPS, "Otto Ops"),
}
# (name, loader) in dependency order: each area's loader reads what the ones before it made.
LOADERS = (
    ("inventory", inventory),
    ("inventory.bundles", bundles),  # before the orders: the world sells the two-tee bundle
    ("orders", orders),
    ("fulfilment", fulfilment),
    ("fulfilment.shipping_rules", shipping_rules),
    ("fulfilment.handover", handover),
    ("metrics", metrics),
    ("channels", channels),
    ("channels.stock_rules", stock_rules),  # after the accounts: a rule on TikTok and Etsy, one listing's own
    ("inventory.fbt", fbt),
    ("inventory.purchasing", purchasing),  # suppliers and purchase orders, one partly received
    ("inventory.replenishment", replenishment),  # sales dated across the month; TEE-BLK-L's viral week
    ("fulfilment.tiktok", tiktok_shipping),
    ("orders.refunds", refunds),
    ("orders.cancellation_requests", cancellation_requests),
    ("orders.returns", returns),
    ("metrics.after_sales_history", after_sales_history),
    ("access", access),
    ("inventory.images", images),  # last: a picture for every SKU any loader made
)


class Command(BaseCommand):
    help = "Load the demo data (users for each role, SKUs, stock, orders ...). Refuses to run when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load again even if it was loaded before.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to load demo data with DEBUG off: demo users have public passwords.")
        User = get_user_model()
        if User.objects.filter(username="owner", email="owner@demo.sellerhub.local").exists() and not options["force"]:
            self.stdout.write("Demo data already loaded; nothing to do (use --force to load again).")
            return
        # Redis and the worker start after this command (make run): the pushes and syncs the demo
        # data asks for wait for the scheduler's sweep instead of warning once per change.
        quiet = [logging.getLogger(name) for name in ("channels", "sellerhub.fulfilment", "inventory.services")]
        levels = [logger.level for logger in quiet]
        for logger in quiet:
            logger.setLevel(logging.ERROR)
        try:
            self._load(options)
        finally:  # the process goes on (tests, a shell): its loggers speak again
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)

    def _load(self, options):
        User = get_user_model()
        with transaction.atomic():
            users = {}
            for username, (password, role, full_name) in DEMO_USERS.items():
                first, last = full_name.split(" ", 1)
                user, _ = User.objects.update_or_create(
                    username=username,
                    defaults={"first_name": first, "last_name": last, "is_staff": role == OPS,
                              "email": f"{username}@demo.sellerhub.local"},
                )
                user.set_password(password)
                user.save()
                user.groups.set([Group.objects.get(name=role)])
                users[role.lower()] = user
            for name, loader in LOADERS:
                loader.load(users=users)
                self.stdout.write(f"  loaded demo data: {name}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins: "
                                             + ", ".join(f"{u} / {p}" for u, (p, _r, _n) in DEMO_USERS.items())))
