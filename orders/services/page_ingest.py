"""Ingest by page: one page of a channel's orders (50-100 from a pull, one from a webhook, the
manual form or the API) stored in ONE transaction, in a few statements for the whole page.

* the stored orders of the page are locked once (primary-key order) and follow their channel one
  by one (``channel_updates.update_from_channel``: an older copy never moves the status back, an
  unchanged one writes nothing);
* the new orders are inserted in one ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (an order
  another writer created meanwhile is then locked and updated instead), with their attention
  reason (unmatched SKU, address problem, on hold) decided before the insert;
* their SKUs are matched for the whole page at once, their lines and events written in bulk;
* the stock of the new orders to confirm is reserved with ``inventory.services.reserve_page``
  (each order whole or not at all), and the confirmed ones move in one status update; the short
  ones wait under needs-attention with the same reason and events as one by one.

Fulfilled-by-TikTok orders are confirmed with the page, reserving nothing. Anything unusual (a
manual order, confirmation switched off, an existing order that moved to awaiting confirmation)
is confirmed one by one with ``run_confirmation``,
inside the same transaction. Stock requests come only from ``stock_effects.stock_requests``.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from inventory import services as stock
from inventory.models import SKU, ChannelListing
from orders import hooks
from orders.mapping import ChannelLine, ChannelOrder
from orders.models import RESERVED_STATUSES, AttentionReason, Fulfilment, Order, OrderEvent, OrderLine, OrderStatus
from orders.services.attention import address_detail, address_problems, hold_detail
from orders.services.bulk_rows import create_rows, insert_rows, update_text
from orders.services.bundle_lines import match_combined
from orders.services.channel_updates import created_message, new_order, update_from_channel
from orders.services.confirmation import available_own, run_confirmation, short_detail, shortfall_rows
from orders.services.errors import UpsertResult
from orders.services.locks import lock_orders
from orders.services.order_lines import LINE_FIELDS
from orders.services.stock_effects import stock_requests
from orders.services.timeline import acting_user, actor_name
from sellerhub.models import Channel, ChannelAccount

S = OrderStatus
# What confirming a fulfilled-by-TikTok order says (confirmation.run_confirmation, transitions.transition).
FBT_CONFIRMED, FBT_NOTE = ("Confirmed automatically: fulfilled by TikTok, nothing reserved here",
                           "fulfilled by TikTok: nothing reserved here")
LineKey = tuple[str, str, str]  # (channel product id, channel variant id, channel SKU)


def _key(line: ChannelLine) -> LineKey:
    return line.channel_product_id, line.channel_variant_id, line.channel_sku


def match_page_skus(account: ChannelAccount, lines: list[ChannelLine]) -> dict[LineKey, int]:
    """Our SKU for each channel line of a page, by the rules of one order's lines: the account's
    listing by the channel's ids, then its listing by channel SKU, then the seller SKU exactly,
    then ignoring case. One query for the listings, one more only for lines they leave open (a
    combined listing's lines then go to their bundle: ``bundle_lines.match_combined``)."""
    keys = {_key(ln) for ln in lines}
    pairs = {(p, v) for p, v, _s in keys if p or v}
    names = {s for _p, _v, s in keys if s}
    if not keys or not (pairs or names):
        return {}
    condition = Q(channel_sku__in=names, external_product_id="", external_variant_id="")
    for product_id, variant_id in pairs:
        condition |= Q(external_product_id=product_id, external_variant_id=variant_id)
    by_ids, by_name = {}, {}
    for p, v, name, sku_id in (ChannelListing.objects.filter(condition, account=account, active=True,
                                                             sku__isnull=False)
                               .values_list("external_product_id", "external_variant_id", "channel_sku", "sku_id")):
        if p or v:
            by_ids[(p, v)] = sku_id
        else:
            by_name.setdefault(name, sku_id)
    matched = {key: by_ids[key[:2]] for key in keys if key[:2] in by_ids}
    open_names = {s for key in keys if key not in matched for s in [key[2]] if s and s not in by_name}
    exact, folded = {}, {}
    if open_names:
        for seller_sku, pk in (SKU.objects.annotate(folded=Lower("seller_sku"))
                               .filter(folded__in={n.lower() for n in open_names}).values_list("seller_sku", "pk")):
            exact[seller_sku] = pk
            folded.setdefault(seller_sku.lower(), pk)
    for key in keys:
        name = key[2]
        if key in matched or not name:
            continue
        sku_id = by_name.get(name) or exact.get(name) or folded.get(name.lower())
        if sku_id:
            matched[key] = sku_id
    return matched


def _event(order: Order, *, kind: str, user, actor: str, message: str, data: dict, from_status: str = "",
           to_status: str = "") -> OrderEvent:
    return OrderEvent(order=order, kind=kind, user=acting_user(user), actor=actor_name(user, actor),
                      from_status=from_status, to_status=to_status, message=message[:500], data=data)


def _attention_event(order: Order, reason: str, detail: str, *, user, actor: str) -> OrderEvent:
    """The event ``attention.set_attention`` writes when a new order gets its first reason."""
    return _event(order, kind="attention", user=user, actor=actor,
                  message=f"Needs attention: {AttentionReason(reason).label}. {detail}",
                  data={"reason": reason, "previous": ""})


def _first_attention(order: Order, lines: list[OrderLine]) -> tuple[str, str]:
    """A new order's attention reason, as ``attention_after_move`` decides it, from its lines in hand."""
    if order.status == S.ON_HOLD:
        return AttentionReason.ON_HOLD, hold_detail(order)
    if order.status == S.AWAITING_CONFIRMATION:
        unmatched = [ln for ln in lines if not ln.cancelled and ln.sku_id is None]
        if unmatched and order.fulfilment != Fulfilment.FBT:
            skus = sorted({ln.channel_sku or ln.channel_variant_id or f"line {ln.external_id}" for ln in unmatched})
            return AttentionReason.UNMATCHED_SKU, f"No SKU matches channel SKU {', '.join(skus)}: map it to one of " \
                                                  f"your SKUs."
    if order.status in (S.AWAITING_CONFIRMATION,) + RESERVED_STATUSES:
        missing = address_problems(order)
        if missing:
            return AttentionReason.ADDRESS_PROBLEM, address_detail(missing)
    return AttentionReason.NONE, ""


def _line_key(line: ChannelLine, index: int) -> str:
    return line.external_id or f"{line.channel_sku}#{index}"


def _insert_orders(orders: list[Order]) -> set[str]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: sets the primary key of each order inserted and
    returns their external ids (an order another writer inserted meanwhile is left out)."""
    inserted = dict(insert_rows(Order, orders, returning=("external_id", "id"), ignore_conflicts=True))
    for order in orders:
        if order.external_id in inserted:
            order.pk = inserted[order.external_id]
            order._state.adding, order._state.db = False, "default"
    return set(inserted)


class _Page:
    """The new orders of one page, on their way through insert, lines, events and confirmation."""

    def __init__(self, account: ChannelAccount, incoming: list[ChannelOrder], *, actor: str, user):
        self.account, self.actor, self.user = account, actor, user
        self.incoming = incoming
        self.orders: dict[str, Order] = {}
        self.lines: dict[str, list[OrderLine]] = {}
        self.events: list[OrderEvent] = []

    def build(self) -> None:
        matched = match_page_skus(self.account, [ln for inc in self.incoming for ln in inc.lines])
        open_lines = [ln for inc in self.incoming for ln in inc.lines if _key(ln) not in matched]
        for ln, sku_id in match_combined(self.account, open_lines).items():  # a combined listing: its bundle
            matched.setdefault(_key(ln), sku_id)
        for inc in self.incoming:
            order = new_order(self.account, inc)
            order.account = self.account
            lines = [OrderLine(external_id=_line_key(ln, i), sku_id=matched.get(_key(ln)),
                               **{name: getattr(ln, name) for name in LINE_FIELDS})
                     for i, ln in enumerate(inc.lines)]
            order.attention_reason, order.attention_detail = _first_attention(order, lines)
            self.orders[inc.external_id], self.lines[inc.external_id] = order, lines

    def insert(self) -> set[str]:
        """Insert the orders, then the lines and events of those inserted; returns their ids."""
        inserted = _insert_orders(list(self.orders.values()))
        new_lines = []
        for inc in self.incoming:
            if inc.external_id not in inserted:
                continue
            order = self.orders[inc.external_id]
            for line in self.lines[inc.external_id]:
                line.order = order
                new_lines.append(line)
            message, data = created_message(self.account, inc)
            self.events.append(_event(order, kind="created", user=self.user, actor=self.actor, message=message,
                                      data=data, to_status=order.status))
            if order.attention_reason:
                self.events.append(_attention_event(order, order.attention_reason, order.attention_detail,
                                                    user=self.user, actor=self.actor))
        create_rows(OrderLine, new_lines)
        for inc in self.incoming:
            if inc.external_id in inserted and inc.packages:
                hooks.record_channel_packages(order=self.orders[inc.external_id], packages=inc.packages)
        self.flush_events()
        return inserted

    def flush_events(self) -> None:
        create_rows(OrderEvent, self.events)
        self.events = []

    def confirm(self, external_ids: list[str]) -> None:
        """Automatic confirmation of the new orders awaiting it: the plain ones by page, the rest
        one by one (``run_confirmation``, the same rules)."""
        waiting = self.account.channel == Channel.MANUAL or not settings.AUTO_CONFIRM_ORDERS
        plain, one_by_one = [], []
        for ext in external_ids:
            order = self.orders[ext]
            if order.status != S.AWAITING_CONFIRMATION:
                continue
            if waiting:
                one_by_one.append(order)
            elif not order.attention_reason:
                plain.append(order)  # unmatched or address problems: run_confirmation would only say so again
        for order in one_by_one:
            result = run_confirmation(order=order, user=self.user, actor=self.actor, on_arrival=True)
            self.orders[order.external_id] = result.order
        if plain:
            self._reserve(plain)

    def _reserve(self, orders: list[Order]) -> None:
        codes = tuple(self.account.location_priority or ()) or None
        requests: dict[str, list] = {o.external_id: [] for o in orders}
        owner = {str(ln.pk): o.external_id for o in orders for ln in self.lines[o.external_id]}
        active = [ln for o in orders if o.fulfilment != Fulfilment.FBT  # TikTok ships those: nothing reserved
                  for ln in self.lines[o.external_id] if not ln.cancelled]
        for request in stock_requests(active):  # one call for the page; a key is "<line id>[:<component>]"
            requests[owner[request.line_key.split(":")[0]]].append(request)
        outcome = stock.reserve_page(orders=[stock.PageOrder(o.reservation_reference, requests[o.external_id], codes)
                                             for o in orders if requests[o.external_id]], user=acting_user(self.user))
        confirmed = [o for o in orders if outcome.get(o.reservation_reference) is None]
        short = [o for o in orders if outcome.get(o.reservation_reference) is not None]
        now = timezone.now()
        if confirmed:
            Order.objects.filter(pk__in=[o.pk for o in confirmed]).update(
                status=S.CONFIRMED, attention_reason="", attention_detail="", updated_at=now)
        free_then = self._free_when_tried(orders, outcome, requests)
        for order in orders:
            exc = outcome.get(order.reservation_reference)
            if exc is None:
                order.status, order.updated_at = S.CONFIRMED, now
                if order.fulfilment == Fulfilment.FBT:
                    message, data = FBT_CONFIRMED, {"stock": FBT_NOTE}
                else:
                    message, data = "Confirmed automatically", {
                        "reserved": sum(r.quantity for r in requests[order.external_id])}
                self.events.append(_event(order, kind="status", user=self.user, actor=self.actor,
                                          from_status=S.AWAITING_CONFIRMATION, to_status=S.CONFIRMED,
                                          message=message, data=data))
                continue
            lines = [ln for ln in self.lines[order.external_id] if not ln.cancelled]
            rows = shortfall_rows(lines, exc, free=free_then[order.external_id], requests=requests[order.external_id])
            order.attention_reason, order.attention_detail = AttentionReason.SHORT_STOCK, short_detail(rows)[:500]
            order.updated_at = now
            self.events.append(_attention_event(order, order.attention_reason, order.attention_detail,
                                                user=self.user, actor=self.actor))
        if short:  # one statement, each its own detail
            update_text(Order, "attention_detail", {o.pk: o.attention_detail for o in short},
                        attention_reason=AttentionReason.SHORT_STOCK, updated_at=now)
        self.flush_events()
        if confirmed:  # once for the page, after the commit (e.g. fulfilment's shipping rules)
            ids = [o.pk for o in confirmed]
            transaction.on_commit(lambda: hooks.orders_confirmed(order_ids=ids))

    def _free_when_tried(self, orders, outcome, requests) -> dict[str, dict[int, int]]:
        """Units free per SKU at the moment each short order was tried: free now, plus what the
        orders after it on the page took (one by one, the short order saw the stock before them)."""
        short = [o for o in orders if outcome.get(o.reservation_reference) is not None]
        if not short:
            return {}
        lines = [ln for o in short for ln in self.lines[o.external_id] if ln.sku_id]
        skus = SKU.objects.in_bulk({ln.sku_id for ln in lines})
        for line in lines:
            line.sku = skus.get(line.sku_id)
        # Keyed by what was requested: a bundle line asks for its components' units.
        now_free = available_own({r.sku_id for o in short for r in requests[o.external_id]})
        result, taken_after = {}, defaultdict(int)
        for order in reversed(orders):
            if outcome.get(order.reservation_reference) is None:
                for r in requests[order.external_id]:
                    taken_after[r.sku_id] += r.quantity
                continue
            result[order.external_id] = {sku_id: max(now_free.get(sku_id, 0) + taken_after[sku_id], 0)
                                         for sku_id in {r.sku_id for r in requests[order.external_id]}}
        return result


def _store(account: ChannelAccount, incoming: list[ChannelOrder], *, actor: str, user, confirm: bool) -> dict:
    results: dict[str, UpsertResult] = {}
    ids = [inc.external_id for inc in incoming]
    stored = {o.external_id: o for o in lock_orders(account=account, external_id__in=ids)}
    page = _Page(account, [inc for inc in incoming if inc.external_id not in stored], actor=actor, user=user)
    inserted: set[str] = set()
    if page.incoming:
        page.build()
        inserted = page.insert()
        late = [inc.external_id for inc in page.incoming if inc.external_id not in inserted]
        if late:  # created by another writer since our read: follow it like any stored order
            stored.update({o.external_id: o for o in lock_orders(account=account, external_id__in=late)})
    again = []
    for inc in incoming:
        order = stored.get(inc.external_id)
        if order is None:
            continue
        result = update_from_channel(order, inc, actor=actor, user=user)
        results[inc.external_id] = result
        if confirm and result.changed and result.order.status == S.AWAITING_CONFIRMATION:
            again.append(result)
    for result in again:
        result.order = run_confirmation(order=result.order, user=user, actor=actor, on_arrival=True).order
    if confirm and inserted:
        page.confirm([ext for ext in ids if ext in inserted])
    for ext in inserted:
        results[ext] = UpsertResult("created", page.orders[ext])
    return results


def store_page(*, account: ChannelAccount, incoming: list[ChannelOrder], source: str = "sync", user=None,
               confirm: bool = True) -> list[UpsertResult]:
    """Store one page of a channel's orders (already mapped) in one transaction; returns one
    result per payload, in order ("created", "updated", "unchanged" or "stale"). An error rolls
    back the whole page (the caller may store its orders one by one to find the culprit). The same
    id twice on a page: the later copies are stored after, each as a page of its own."""
    actor = f"{source}:{account.channel}"
    first, later, seen = [], [], set()
    for inc in incoming:
        (later if inc.external_id in seen else first).append(inc)
        seen.add(inc.external_id)
    with transaction.atomic():
        results = _store(account, first, actor=actor, user=user, confirm=confirm)
    out = [results[inc.external_id] for inc in first]
    for inc in later:
        out.extend(store_page(account=account, incoming=[inc], source=source, user=user, confirm=confirm))
    order_of = {id(inc): i for i, inc in enumerate(first + later)}
    return [out[order_of[id(inc)]] for inc in incoming]
