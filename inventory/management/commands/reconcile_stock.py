"""Compare stock levels with the ledger (and reserved units with active reservations); report drift.

    python manage.py reconcile_stock            # exit status 1 when anything drifted
    python manage.py reconcile_stock --sku TEE-BLK-M --json
"""

import json

from django.core.management.base import BaseCommand, CommandError

from inventory import selectors
from inventory.models import SKU


class Command(BaseCommand):
    help = "Compare every stock level with the sum of its ledger rows and its active reservations; report drift."

    def add_arguments(self, parser):
        parser.add_argument("--sku", action="append", help="Only this seller SKU (may be repeated).")
        parser.add_argument("--json", action="store_true", help="Print the drift as JSON.")

    def handle(self, *args, **options):
        sku_ids = None
        if options["sku"]:
            found = dict(SKU.objects.filter(seller_sku__in=options["sku"]).values_list("seller_sku", "pk"))
            missing = sorted(set(options["sku"]) - set(found))
            if missing:
                raise CommandError("Unknown SKU(s): " + ", ".join(missing))
            sku_ids = list(found.values())
        checked, drifts = selectors.reconcile(sku_ids=sku_ids)
        if options["json"]:
            self.stdout.write(json.dumps({"checked": checked, "drift": drifts}, indent=2))
        else:
            for d in drifts:
                problems = []
                if (d["level_on_hand"], d["level_reserved"]) != (d["ledger_on_hand"], d["ledger_reserved"]):
                    problems.append(
                        f"level says {d['level_on_hand']} on hand / {d['level_reserved']} reserved"
                        f"{' (no level row)' if d['level_missing'] else ''}, "
                        f"the ledger adds up to {d['ledger_on_hand']} / {d['ledger_reserved']}"
                    )
                if d["level_reserved"] != d["active_reservations"]:
                    problems.append(f"{d['active_reservations']} units are held by active reservations")
                self.stdout.write(f"DRIFT {d['sku']} at {d['location']}: " + "; ".join(problems))
        if drifts:
            raise CommandError(f"{len(drifts)} of {checked} stock levels drifted from the ledger.")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(f"OK: {checked} stock levels match the ledger and the reservations."))
