"""python manage.py import_orders --channel tiktok FILE

Reads a JSON array of TikTok Shop order objects (the Open API 202309 order detail shape; the
API's own envelope ``{"data": {"orders": [...]}}`` is accepted too) through the same mapping and
page upsert the sync uses (pages of 100 orders, each in one transaction), into the first TikTok
account (created, in America/Los_Angeles, if there is none). Unknown seller SKUs become unmatched
lines. Prints how many orders were created, updated, unchanged and rejected, with each
rejection's reason. Exits non-zero when the file can't be read or is not valid JSON (then nothing
is imported).
"""

import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from orders.mapping import PayloadError, map_order, supports
from orders.services.manual import first_account
from orders.services.page_ingest import store_page

CHANNELS = ("tiktok", "woocommerce", "etsy", "square")
PAGE = 100


def _store(account, page):
    """One page in one transaction; if it fails, its orders one by one (the error names the order)."""
    try:
        return store_page(account=account, incoming=page, source="import")
    except Exception:  # noqa: BLE001 -- rolled back whole; one by one shows which order fails
        return [store_page(account=account, incoming=[incoming], source="import")[0] for incoming in page]


def _orders_in(document):
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        data = document.get("data")
        if isinstance(data, dict) and isinstance(data.get("orders"), list):
            return data["orders"]
        if isinstance(document.get("orders"), list):
            return document["orders"]
    raise CommandError("The file must hold a JSON array of order objects.")


class Command(BaseCommand):
    help = "Import a JSON array of channel orders (TikTok Shop 202309 order detail) idempotently."

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, choices=CHANNELS, help="The channel the orders come from.")
        parser.add_argument("file", help="Path of the JSON file (an array of order objects).")

    def handle(self, *args, channel, file, **options):
        if not supports(channel):
            raise CommandError(f"Importing {channel} orders is not available yet: its mapping comes with the "
                               f"channel-sync connectors. Available: tiktok.")
        try:
            with open(file, encoding="utf-8") as fh:
                document = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}")
        payloads = _orders_in(document)
        account, created = first_account(channel=channel)
        if created:
            self.stdout.write(f"Created the {account.get_channel_display()} account {account.name!r} "
                              f"(time zone {account.time_zone}).")
        counts = Counter()
        rejected = []
        notes = []
        mapped = []
        for index, payload in enumerate(payloads):
            label = payload.get("id") if isinstance(payload, dict) and payload.get("id") else f"#{index + 1}"
            try:
                mapped.append(map_order(channel, payload))
            except PayloadError as exc:
                counts["rejected"] += 1
                rejected.append((index + 1, label, str(exc)))
        for start in range(0, len(mapped), PAGE):  # each page in one transaction, like the sync
            for incoming, result in zip(mapped[start:start + PAGE], _store(account, mapped[start:start + PAGE]),
                                        strict=True):
                if result.outcome == "stale":
                    counts["unchanged"] += 1
                    counts["stale"] += 1
                else:
                    counts[result.outcome] += 1
                notes.extend(f"order {incoming.external_id}: {note}" for note in result.notes)
        stale = f" ({counts['stale']} older than what is stored)" if counts["stale"] else ""
        self.stdout.write(
            f"{len(payloads)} order(s) read from {file} into {account.name}: "
            f"created {counts['created']}, updated {counts['updated']}, "
            f"unchanged {counts['unchanged']}{stale}, rejected {counts['rejected']}."
        )
        for position, label, reason in rejected:
            self.stdout.write(self.style.WARNING(f"  rejected order {label} (item {position}): {reason}"))
        for note in notes:
            self.stdout.write(f"  note: {note}")
