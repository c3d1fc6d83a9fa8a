"""Manual orders (phone, email, market stall) on the Manual account, and the accounts manual
orders and ``import_orders`` use."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from inventory.models import SKU
from orders.mapping import ChannelLine, ChannelOrder
from orders.models import Order, OrderStatus
from orders.services.errors import ManualOrderError, UpsertResult
from orders.services.upsert import upsert_order
from sellerhub.models import Channel, ChannelAccount

S = OrderStatus


MANUAL_ACCOUNT_NAME = "Manual"


def manual_account() -> ChannelAccount:
    """The first "Manual" channel account, created on demand."""
    with transaction.atomic():
        account = ChannelAccount.objects.filter(channel=Channel.MANUAL).order_by("pk").first()
        if account is None:
            account = ChannelAccount.objects.create(name=MANUAL_ACCOUNT_NAME, channel=Channel.MANUAL)
        return account


def first_account(*, channel: str) -> tuple[ChannelAccount, bool]:
    """The first account of a channel (active ones first), created when there is none; for
    ``import_orders``. Returns (account, created)."""
    with transaction.atomic():
        account = ChannelAccount.objects.filter(channel=channel).order_by("-active", "pk").first()
        if account is not None:
            return account, False
        name = Channel(channel).label
        return ChannelAccount.objects.create(name=name, channel=channel, time_zone="America/Los_Angeles"), True


def _parse_time(value, name: str, errors: dict) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            errors.setdefault(name, []).append("Use an ISO 8601 date and time with its offset, "
                                               "e.g. 2026-09-04T18:00:00-07:00.")
            return None
    if parsed.tzinfo is None:
        errors.setdefault(name, []).append("Give the time zone offset, e.g. 2026-09-04T18:00:00-07:00.")
        return None
    return parsed.astimezone(dt.UTC)


def _decimal(value, name: str, errors: dict) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors.setdefault(name, []).append(f"{value!r} is not an amount.")
        return Decimal("0")
    if not amount.is_finite() or amount < 0:
        errors.setdefault(name, []).append("Must be zero or more.")
        return Decimal("0")
    return amount


def create_manual_order(*, lines, buyer: dict | None = None, address: dict | None = None, external_id: str = "",
                        paid_at=None, currency: str = "USD", shipping_total=None, note: str = "",
                        user=None) -> UpsertResult:
    """A manual order (phone, email, market stall) on the Manual account, awaiting confirmation.
    Every SKU must exist; buyer and address are optional (needed before shipping). Its deadlines
    come from the Manual account's calendar, counted from ``paid_at`` (default: now). Posting the
    same external id with the same content again returns the existing order unchanged."""
    errors: dict[str, list[str]] = {}
    if not isinstance(lines, list | tuple) or not lines:
        raise ManualOrderError({"lines": ["Give at least one line: {\"sku\": \"<seller sku>\", \"quantity\": 1}."]})
    wanted = []
    for i, raw_line in enumerate(lines):
        where = f"lines[{i}]"
        if not isinstance(raw_line, dict):
            errors.setdefault(where, []).append("Each line is an object with sku and quantity.")
            continue
        seller_sku = str(raw_line.get("sku") or "").strip()
        quantity = raw_line.get("quantity", 1)
        if not seller_sku:
            errors.setdefault(where, []).append("sku is required.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100000:
            errors.setdefault(where, []).append("quantity must be a whole number from 1 to 100000.")
        price = _decimal(raw_line.get("unit_price"), f"{where}.unit_price", errors)
        wanted.append((where, seller_sku, quantity, price))
    skus = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=[w[1] for w in wanted if w[1]])}
    missing = set()
    for where, seller_sku, _q, _p in wanted:
        if seller_sku and seller_sku not in skus:
            if where not in errors:  # nothing else wrong with this line
                missing.add(where)
            errors.setdefault(where, []).append(f"Unknown SKU {seller_sku!r}.")
        elif seller_sku and not skus[seller_sku].active:
            errors.setdefault(where, []).append(f"SKU {seller_sku} is inactive.")
    buyer = buyer or {}
    address = address or {}
    for name, value in (("buyer", buyer), ("address", address)):
        if not isinstance(value, dict):
            errors.setdefault(name, []).append("Must be an object.")
    paid = _parse_time(paid_at, "paid_at", errors)
    currency = (currency or "USD").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors.setdefault("currency", []).append("Use a three-letter currency code, e.g. USD.")
    shipping = _decimal(shipping_total, "shipping_total", errors)
    external_id = (external_id or "").strip()
    if len(external_id) > 64:
        errors.setdefault("external_id", []).append("At most 64 characters.")
    address_values = {}
    if isinstance(address, dict):
        keys = {"name": "ship_name", "company": "ship_company", "street1": "ship_street1",
                "street2": "ship_street2", "city": "ship_city", "state": "ship_state",
                "postal_code": "ship_postal_code", "country": "ship_country", "phone": "ship_phone"}
        for key in set(address) - set(keys):
            errors.setdefault(f"address.{key}", []).append(f"Unknown field (use: {', '.join(keys)}).")
        for key, target in keys.items():
            value = str(address.get(key) or "").strip()
            limit = Order._meta.get_field(target).max_length
            if len(value) > limit:
                errors.setdefault(f"address.{key}", []).append(f"At most {limit} characters.")
            address_values[target] = value.upper() if key == "country" else value
        if address_values.get("ship_country") and len(address_values["ship_country"]) != 2:
            errors.setdefault("address.country", []).append("Use a two-letter country code, e.g. US.")
    buyer_values = {}
    if isinstance(buyer, dict):
        for key in ("name", "email", "phone"):
            buyer_values[f"buyer_{key}"] = str(buyer.get(key) or "").strip()[:200]
    if errors:
        raise ManualOrderError(errors, missing=frozenset(missing))

    now = timezone.now()
    paid = paid or now
    channel_lines = tuple(
        ChannelLine(external_id=str(i + 1), channel_sku=seller_sku, name=skus[seller_sku].name[:300],
                    quantity=quantity, unit_price=price)
        for i, (_w, seller_sku, quantity, price) in enumerate(wanted)
    )
    subtotal = sum((ln.unit_price * ln.quantity for ln in channel_lines), Decimal("0"))
    if not address_values.get("ship_name"):
        address_values["ship_name"] = buyer_values.get("buyer_name", "")
    raw = {"lines": [{"sku": s, "quantity": q, "unit_price": str(p)} for _w, s, q, p in wanted],
           "buyer": {k: str(v) for k, v in buyer.items()}, "address": {k: str(v) for k, v in address.items()},
           "paid_at": paid.isoformat() if paid_at else None, "currency": currency,
           "shipping_total": str(shipping), "note": note or ""}
    account = manual_account()
    incoming = ChannelOrder(
        external_id=external_id or f"M-{now:%y%m%d}-{secrets.token_hex(3).upper()}",
        status=S.AWAITING_CONFIRMATION, channel_status="", created_at=now, updated_at=None, paid_at=paid,
        **buyer_values, **address_values, currency=currency, subtotal=subtotal, shipping_total=shipping,
        total=subtotal + shipping, lines=channel_lines, raw=raw,
    )
    if external_id:
        existing = Order.objects.filter(account=account, external_id=external_id).first()
        if existing is not None:
            if existing.raw != raw:
                raise ManualOrderError({"external_id": [f"A manual order {external_id} already exists with other "
                                                        f"content (order id {existing.pk})."]})
            return UpsertResult("unchanged", existing)
    result = upsert_order(account=account, incoming=incoming, source="manual", user=user)
    if note and result.outcome == "created":
        Order.objects.filter(pk=result.order.pk).update(note=note)
        result.order.note = note
    return result
